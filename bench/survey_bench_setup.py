"""Shared setup of bench_survey_results.py and bench_submissions.py: a scratch PostgreSQL
database with the demo survey (and as many synthetic responses as asked), a shared cache and a
gunicorn serving it with DEBUG off; everything removed on exit, also on Ctrl-C. The HTTP load
and timing helpers are bench_surveys.py's."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from bench_surveys import (
    GUNICORN,
    ROOT,
    admin_sql,
    free_port,
    setup_django,
    shared_cache,
    stop,
    wait_until_up,
)

ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def demo_spec(survey) -> dict:
    """What a client needs to answer the demo survey at random (bench_surveys._random_answers)."""
    from surveys.selectors import areas_for_form, questions_for

    area_ids = [pk for pk, _name in areas_for_form()]
    questions = []
    for q in questions_for(survey):
        if q.kind == "area":
            questions.append((q.field_name, "area", area_ids))
        elif q.kind == "single":
            questions.append((q.field_name, "single", [c.pk for c in q.active_choices]))
        elif q.kind == "multiple":
            options = ([c.pk for c in q.active_choices if not c.exclusive], q.max_choices)
            questions.append((q.field_name, "multiple", options))
        else:
            questions.append((q.field_name, q.kind, None))
    return {"path": survey.get_public_url(), "questions": questions}


def staff_cookie() -> str:
    """A superuser's session cookie, made directly in the session store."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.create_superuser(
        f"bench-{uuid.uuid4().hex[:6]}", password=uuid.uuid4().hex
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


@contextmanager
def demo_server(*, responses: int, workers: int, label: str):
    """Yields (port, survey): gunicorn on a fresh database holding the demo survey with
    `responses` synthetic responses (planner statistics refreshed after the bulk load)."""
    name = f"fenglin_bench_{label}_{os.getpid()}"
    database_url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    tmp = Path(tempfile.mkdtemp(prefix=f"fenglin-bench-{label}-"))
    server = None
    created = False
    try:
        admin_sql(ADMIN_URL, f'CREATE DATABASE "{name}"')
        created = True
        cache = shared_cache(tmp, REDIS_URL)
        env = setup_django(tmp, database_url, cache)
        from django.core.management import call_command
        from django.db import connections

        print(f"database {name}, migrating and collecting static files ...", flush=True)
        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        from sites import demo as sites_demo
        from surveys import demo as surveys_demo
        from surveys.models import Survey

        sites_demo.load(stdout=io.StringIO(), responses=0, seed=1)
        started = time.perf_counter()
        surveys_demo.load(stdout=io.StringIO(), responses=responses, seed=1)
        if responses:
            print(f"{responses} responses loaded in {time.perf_counter() - started:.0f} s")
            with connections["default"].cursor() as cursor:
                cursor.execute("VACUUM ANALYZE surveys_answer")
                cursor.execute("VACUUM ANALYZE surveys_response")
        survey = Survey.objects.get(slug=surveys_demo.SLUG)
        connections.close_all()
        port = free_port()
        command = [str(GUNICORN), "fenglin.wsgi", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(workers), "--log-level", "warning"]
        server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
        wait_until_up(port, server)
        print(f"gunicorn: 127.0.0.1:{port}, {workers} workers, cache {cache['BACKEND']}")
        yield port, survey
    finally:
        stop(server)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up yet
            pass
        if created:
            admin_sql(ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)
