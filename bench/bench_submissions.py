"""Benchmark: the residents' submission path under 16 concurrent clients, against the cheapest
HTML page (the thank-you page) in the same run, through gunicorn and PostgreSQL with DEBUG off.

Prints requests per second, p50 and p95 of each, and whether every submission answered 302 was
stored (each one a new questionnaire with its own idempotency key; a key sent again, as after Back
or from the offline queue, is checked first and stores nothing).

    .venv/bin/python bench/bench_submissions.py [--clients 16] [--seconds 10] [--workers 4]
"""

from __future__ import annotations

import argparse
import sys

from bench_surveys import run_load
from survey_bench_setup import demo_server, demo_spec


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    clients = max(1, min(args.clients, 256))
    seconds = max(1.0, min(args.seconds, 120.0))
    with demo_server(responses=0, workers=args.workers, label="submissions") as (port, survey):
        spec = demo_spec(survey)
        page = run_load(port, "thanks", spec, clients, seconds)
        submit = run_load(port, "submit", spec, clients, seconds)
        stored = survey.responses.count()
        print(f"\n{clients} clients, {seconds:.0f} s each")
        print(f"{'path':<24}{'req/s':>9}{'ok':>8}{'5xx':>6}{'p50 ms':>9}{'p95 ms':>9}")
        for label, r in (("GET /s/<slug>/thanks/", page), ("POST /s/<slug>/", submit)):
            print(
                f"{label:<24}{r['per_second']:>9.1f}{r['ok']:>8}{r['errors_5xx']:>6}"
                f"{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}"
            )
        if page["p95_ms"]:
            print(f"submission p95 ÷ thank-you page p95 = {submit['p95_ms'] / page['p95_ms']:.2f}")
        print(f"answered 302: {submit['ok']}, stored: {stored}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
