"""Benchmark: the survey results page at 100,000 responses (aim: under 500 ms cold, under 100 ms
warm), with its text answers searched and the demand export, against the cheapest HTML page (the
thank-you page) in the same run; gunicorn, PostgreSQL, DEBUG off, one client at a time.

Cold: the results version is bumped before each request, as a deletion would, so every aggregate
is computed again; warm: the same page again, from the shared cache.

    .venv/bin/python bench/bench_survey_results.py [--responses 100000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench_surveys import _request, time_results
from survey_bench_setup import demo_server, staff_cookie


def median_ms(port: int, path: str, cookie: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        status, _h, _b = _request(port, "GET", path, headers={"Cookie": cookie}, timeout=120)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    responses = max(0, min(args.responses, 1_000_000))
    repeats = max(1, min(args.repeats, 50))
    with demo_server(responses=responses, workers=args.workers, label="results") as (port, s):
        from django.urls import reverse

        cookie = staff_cookie()
        thanks = median_ms(port, s.get_public_url() + "thanks/", "", repeats * 3)
        results = reverse("surveys:survey_results", args=[s.pk])
        cold, warm = time_results(port, results, cookie, s.pk, repeats)
        text = reverse("surveys:text_answers", args=[s.pk])
        search = median_ms(port, text + "?q=%E6%97%B6%E9%97%B4", cookie, repeats)
        demand = median_ms(port, reverse("surveys:demand_export_csv", args=[s.pk]), cookie, 3)
        total = s.responses.count()
        print(f"\n{total} responses; medians of {repeats} requests (thank-you page: {repeats * 3})")
        print(f"{'page':<44}{'ms':>8}{'÷ thank-you':>13}")
        for label, ms in (
            ("GET /s/<slug>/thanks/ (cheapest HTML page)", thanks),
            ("results page, cold (aim < 500 ms)", 1000 * cold),
            ("results page, warm (aim < 100 ms)", 1000 * warm),
            ("text answers searched (?q=, 50 a page)", search),
            ("demand export CSV", demand),
        ):
            print(f"{label:<44}{ms:>8.1f}{ms / thanks:>13.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
