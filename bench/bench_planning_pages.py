"""Benchmark: the planning pages on the demo, cold and warm, against the cheapest HTML page.

Builds the demo (`load_demo`: the illustrative walking network, boundaries, housing estates and
N survey responses) in a temporary SQLite database, then times, in one process through Django's
test client (every middleware, the templates, the database):

- the cheapest staff HTML page (the survey list) as the reference;
- the coverage page of each service with a walking standard, the gap matrix and an area page:
  cold (cache cleared: the walks are measured on the network and the metrics computed) and
  warm (the travel times and results cached, as after the background warming). Aim: the
  coverage page under 300 ms warm.

    .venv/bin/python bench/bench_planning_pages.py [--responses 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(client, url: str, repeat: int, before=None) -> float:
    """The median seconds of ``repeat`` GETs (``before`` runs ahead of each, untimed)."""
    times = []
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
    return statistics.median(times)


def main() -> None:
    folder = tempfile.mkdtemp(prefix="fenglin-bench-")
    try:
        run(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(folder: str) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fenglin.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from fenglin import roles
    from sites.models import Area, ServiceType
    from sites.network import walking_model
    from tests.builders import make_user

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_demo", responses=args.responses, seed=1, stdout=io.StringIO())
    print(f"demo loaded in {time.perf_counter() - started:.1f} s; walks: {walking_model()}")

    client = Client()
    client.force_login(make_user("bench-planner", roles.PLANNERS))
    reference = timed(client, reverse("surveys:survey_list"), args.repeat)
    print(f"{'page':<44} {'cold ms':>8} {'warm ms':>8} {'warm / reference':>17}")
    print(f"{'survey list (reference)':<44} {'':>8} {reference * 1000:8.1f} {1:17.1f}")

    pages = [
        (f"coverage: {t.code}", reverse("scenarios:coverage_detail", args=[t.code]))
        for t in ServiceType.objects.with_standard()
    ]
    pages += [
        ("gap matrix", reverse("scenarios:gaps")),
        ("area page", Area.objects.order_by("code").first().get_absolute_url()),
    ]
    worst = 0.0
    for label, url in pages:
        cold = timed(client, url, args.repeat, before=cache.clear)
        client.get(url)
        warm = timed(client, url, args.repeat)
        if label.startswith("coverage"):
            worst = max(worst, warm)
        print(f"{label:<44} {cold * 1000:8.1f} {warm * 1000:8.1f} {warm / reference:17.1f}")
    verdict = "meets" if worst < 0.3 else "misses"
    print(f"slowest coverage page warm: {worst * 1000:.0f} ms ({verdict} the 300 ms aim)")


if __name__ == "__main__":
    main()
