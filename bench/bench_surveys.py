"""Benchmark: resident submissions through the real HTTP stack, and the results page at scale.

Starts its own gunicorn (DEBUG off, collected static files) on 127.0.0.1 with a free port, on a
PostgreSQL database it creates, with the cache shared by the workers that production uses (Redis,
database 14 of a local one, flushed first; a file-based cache when no Redis answers) and rate
limits lifted. Then, in one run:

1. requests per second on the server's cheapest page (/healthz/: one `SELECT 1` and one
   cache read, no template) at C concurrent clients, and on its cheapest HTML page (the
   survey's thank-you page: one query and a template, through every middleware);
2. survey submissions per second (POST /s/<slug>/, each a new questionnaire of the demo survey,
   answered at random) at the same concurrency, and its ratio to each (aim: at least 0.5
   against /healthz/);
   submitted and stored counts (must be equal) and 5xx count (must be 0);
3. the results page's response time with N responses (aim: under 0.5 s warm), cold (cache
   invalidated before each request, as after a new answer) and warm.

Every loop is bounded in count and time; the server, database and temporary files are removed
at the end, also on Ctrl-C.

    .venv/bin/python bench/bench_surveys.py [--clients 16] [--seconds 10] [--responses 100000]
        [--admin-url postgres://postgres@127.0.0.1:5432/postgres] [--redis-url redis://...]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
MAX_REQUESTS_PER_CLIENT = 20_000
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

SETTINGS = """
from fenglin.settings import *  # noqa: F403

STATIC_ROOT = {static!r}
CACHES = {{"default": {cache!r}}}
SURVEY_RATE_LIMITS = {{"per_address": (10**9, 60), "per_survey": (10**9, 60)}}
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
ALLOWED_HOSTS = ["127.0.0.1"]
AXES_ENABLED = False
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- HTTP clients (run in worker processes) -------------------------------------------------


def _request(port, method, path, body=None, headers=None, timeout=30.0):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, response.getheaders(), data
    finally:
        conn.close()


def _random_answers(spec: dict, rng: random.Random) -> list[tuple[str, str]]:
    fields = []
    for name, kind, options in spec["questions"]:
        if kind in ("single", "area"):
            fields.append((name, str(rng.choice(options))))
        elif kind == "multiple":
            limit = min(options[1] or len(options[0]), len(options[0]))
            for choice in rng.sample(options[0], rng.randint(1, limit)):
                fields.append((name, str(choice)))
        elif kind == "rating":
            fields.append((name, str(rng.randint(1, 5))))
        elif kind == "number":
            fields.append((name, str(rng.randint(0, 7))))
        elif kind == "text" and rng.random() < 0.1:
            fields.append((name, "希望延长营业时间"))
    return fields


def _client(port: int, mode: str, spec: dict, deadline: float, seed: int) -> list[tuple]:
    """One client: as many requests as fit before the deadline (bounded in count)."""
    rng = random.Random(seed)
    results = []
    headers: dict[str, str] = {}
    token = ""
    if mode == "submit":
        status, response_headers, body = _request(port, "GET", spec["path"])
        cookies = [v.split(";", 1)[0] for k, v in response_headers if k.lower() == "set-cookie"]
        token = CSRF_INPUT.search(body.decode()).group(1)
        headers = {
            "Cookie": "; ".join(cookies),
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{port}{spec['path']}",
        }
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            break
        started = time.perf_counter()
        try:
            if mode == "submit":
                form = [("csrfmiddlewaretoken", token), ("idempotency_key", str(uuid.uuid4()))]
                form += _random_answers(spec, rng)
                body = urllib.parse.urlencode(form)
                status, _h, _b = _request(port, "POST", spec["path"], body, headers)
            elif mode == "thanks":
                status, _h, _b = _request(port, "GET", spec["path"] + "thanks/")
            else:
                status, _h, _b = _request(port, "GET", "/healthz/")
        except OSError:
            status = 0
        results.append((status, time.perf_counter() - started))
    return results


def _process(port: int, mode: str, spec: dict, deadline: float, threads: int, seed: int):
    out: list[tuple] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        rows = _client(port, mode, spec, deadline, seed * 1000 + i)
        with lock:
            out.extend(rows)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=max(1.0, deadline - time.monotonic() + 60))
    return out


def run_load(port: int, mode: str, spec: dict, clients: int, seconds: float) -> dict:
    processes = min(clients, max(2, os.cpu_count() or 2))
    per_process = [
        clients // processes + (1 if i < clients % processes else 0) for i in range(processes)
    ]
    started = time.monotonic()
    deadline = started + seconds
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        chunks = pool.starmap(
            _process,
            [(port, mode, spec, deadline, n, i) for i, n in enumerate(per_process) if n],
        )
    elapsed = max(time.monotonic() - started, 1e-9)
    rows = [row for chunk in chunks for row in chunk]
    ok_status = 302 if mode == "submit" else 200
    latencies = sorted(t for _s, t in rows)
    ok = sum(1 for s, _t in rows if s == ok_status)
    return {
        "requests": len(rows),
        "ok": ok,
        "errors_5xx": sum(1 for s, _t in rows if s >= 500),
        "other": sum(1 for s, _t in rows if s != ok_status and s < 500),
        "per_second": ok / elapsed,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else 0.0,
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0,
    }


# --- Server and database --------------------------------------------------------------------


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited early")
        try:
            if _request(port, "GET", "/healthz/", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def stop(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)


def admin_sql(admin_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(statement)


def shared_cache(tmp: Path, redis_url: str) -> dict:
    """Django's Redis cache when Redis answers at ``redis_url`` (flushed), else a file cache."""
    parts = urllib.parse.urlsplit(redis_url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            pass
    except OSError:
        print(f"no Redis at {redis_url}: a file-based cache stands in for it")
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp / "cache"),
        }
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}


def setup_django(tmp: Path, database_url: str, cache: dict) -> dict:
    settings_file = tmp / "bench_surveys_settings.py"
    settings_file.write_text(
        SETTINGS.format(static=str(tmp / "static"), cache=cache), encoding="utf-8"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "bench_surveys_settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT)]),
        "LOG_LEVEL": "ERROR",
    }
    os.environ.update(env)
    sys.path[:0] = [str(tmp), str(ROOT)]
    import django

    django.setup()
    return env


def time_results(port: int, path: str, cookie: str, survey_pk: int, repeats: int) -> tuple:
    from django.db import connection
    from django.db.models import F

    from surveys.models import Survey

    def get() -> float:
        started = time.perf_counter()
        status, _h, _b = _request(port, "GET", path, headers={"Cookie": cookie}, timeout=120)
        if status != 200:
            raise RuntimeError(f"results page answered {status}")
        return time.perf_counter() - started

    cold = []
    for _ in range(repeats):
        Survey.objects.filter(pk=survey_pk).update(results_version=F("results_version") + 1)
        cold.append(get())
    get()  # fill the cache for this version
    warm = [get() for _ in range(repeats * 3)]
    connection.close()
    return statistics.median(cold), statistics.median(warm)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL URL allowed to create and drop databases",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        help="the shared cache; flushed at the start",
    )
    args = parser.parse_args()
    args.clients = max(1, min(args.clients, 256))
    args.seconds = max(1.0, min(args.seconds, 120.0))
    args.responses = max(0, min(args.responses, 1_000_000))

    name = f"fenglin_bench_surveys_{os.getpid()}"
    database_url = args.admin_url.rsplit("/", 1)[0] + "/" + name
    tmp = Path(tempfile.mkdtemp(prefix="fenglin-bench-surveys-"))
    server = None
    created = False
    try:
        admin_sql(args.admin_url, f'CREATE DATABASE "{name}"')
        created = True
        cache = shared_cache(tmp, args.redis_url)
        env = setup_django(tmp, database_url, cache)
        print(f"cache: {cache['BACKEND'].rsplit('.', 1)[-1]} {cache['LOCATION']}")
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.db import connections

        print(f"database {name}, migrating and collecting static files ...", flush=True)
        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)

        import io

        from sites import demo as sites_demo
        from surveys import demo as surveys_demo
        from surveys.models import Survey
        from surveys.selectors import areas_for_form, questions_for

        sites_demo.load(stdout=io.StringIO(), responses=0, seed=1)
        surveys_demo.load(stdout=io.StringIO(), responses=0, seed=1)
        survey = Survey.objects.get(slug=surveys_demo.SLUG)
        area_ids = [pk for pk, _name in areas_for_form()]
        spec_questions = []
        for q in questions_for(survey):
            if q.kind == "area":
                spec_questions.append((q.field_name, "area", area_ids))
            elif q.kind == "single":
                spec_questions.append((q.field_name, "single", [c.pk for c in q.active_choices]))
            elif q.kind == "multiple":
                options = ([c.pk for c in q.active_choices], q.max_choices)
                spec_questions.append((q.field_name, "multiple", options))
            else:
                spec_questions.append((q.field_name, q.kind, None))
        spec = {"path": survey.get_public_url(), "questions": spec_questions}
        connections.close_all()

        port = free_port()
        server = subprocess.Popen(
            [
                str(GUNICORN),
                "fenglin.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
        )
        wait_until_up(port, server)
        print(
            f"gunicorn: 127.0.0.1:{port}, {args.workers} workers; {args.clients} clients, "
            f"{args.seconds:.0f} s per load",
            flush=True,
        )

        cheap = run_load(port, "healthz", spec, args.clients, args.seconds)
        page = run_load(port, "thanks", spec, args.clients, args.seconds)
        submit = run_load(port, "submit", spec, args.clients, args.seconds)
        stored = survey.responses.count()
        connections.close_all()
        ratio = submit["per_second"] / cheap["per_second"] if cheap["per_second"] else 0.0
        print()
        print(f"{'page':<22}{'req/s':>10}{'ok':>8}{'5xx':>6}{'other':>7}{'p50 ms':>9}{'p95 ms':>9}")
        rows = (
            ("GET /healthz/", cheap),
            ("GET /s/<slug>/thanks/", page),
            ("POST /s/<slug>/", submit),
        )
        for label, r in rows:
            print(
                f"{label:<22}{r['per_second']:>10.1f}{r['ok']:>8}{r['errors_5xx']:>6}"
                f"{r['other']:>7}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}"
            )
        print(f"submissions/s ÷ cheapest page req/s = {ratio:.2f}  (aim ≥ 0.5)")
        if page["per_second"]:
            print(
                "submissions/s ÷ cheapest HTML page (the thank-you page) req/s = "
                f"{submit['per_second'] / page['per_second']:.2f}"
            )
        print(
            f"submitted (302) {submit['ok']}, stored {stored}: "
            f"{'equal' if stored == submit['ok'] else 'DIFFERENT'}"
        )

        if args.responses:
            missing = max(0, args.responses - stored)
            print(f"\nadding {missing} synthetic responses for the results page ...", flush=True)
            started = time.perf_counter()
            surveys_demo.load(stdout=io.StringIO(), responses=missing, seed=2)
            print(f"  loaded in {time.perf_counter() - started:.1f} s", flush=True)
            # What autovacuum would soon do after a bulk load: fresh planner statistics.
            with connections["default"].cursor() as cursor:
                cursor.execute("VACUUM ANALYZE surveys_answer")
                cursor.execute("VACUUM ANALYZE surveys_response")
        total = survey.responses.count()
        user = get_user_model().objects.create_superuser("bench", password=uuid.uuid4().hex)
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore

        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        from django.conf import settings
        from django.urls import reverse

        cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
        path = reverse("surveys:survey_results", args=[survey.pk])
        cold, warm = time_results(port, path, cookie, survey.pk, args.repeats)
        print(
            f"\nresults page at {total} responses: cold {1000 * cold:.0f} ms "
            f"(aggregates recomputed), warm {1000 * warm:.0f} ms (aim < 500 ms)"
        )
        return 0
    finally:
        stop(server)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up yet
            pass
        if created:
            admin_sql(args.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
