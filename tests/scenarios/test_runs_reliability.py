"""Background runs that cannot hang: heartbeats, silent runs ended, cancels, a worker that
survives database outages, and a worker killed with SIGKILL in the middle of a solve."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands
from django.db import OperationalError, connection, connections
from django.urls import reverse
from django.utils import timezone, translation

from scenarios import optimisation, runs
from scenarios.models import OptimisationRun, OptimisationRunQuerySet, RunLoss, RunStatus
from tests.builders import make_scenario

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
REPO = Path(__file__).resolve().parents[2]


def make_run(world, **fields) -> OptimisationRun:
    run = OptimisationRun.objects.create(
        scenario=make_scenario(), model="mclp", service_type=world["canteen"], new_sites=1
    )
    if fields:
        OptimisationRun.objects.filter(pk=run.pk).update(**fields)
        run.refresh_from_db()
    return run


def running(minutes_silent: float, **fields) -> dict:
    """Fields of a run that started an hour ago and last beat ``minutes_silent`` ago."""
    now = timezone.now()
    return {
        "status": RunStatus.RUNNING,
        "started_at": now - timedelta(hours=1),
        "heartbeat_at": now - timedelta(minutes=minutes_silent),
        "progress": 30,
        "stage": "Solving",
        **fields,
    }


def wait_for(predicate, what: str, seconds: float = 60) -> None:
    """Poll until ``predicate()`` holds; the deadline only keeps a broken test from hanging."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


# --- A run whose worker went silent ------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_a_silent_run_failed_with_the_reason(planner_client, english, world):
    run = make_run(world, **running(minutes_silent=10))
    last = timezone.localtime(run.heartbeat_at).strftime("%H:%M")

    page = planner_client.get(run.get_absolute_url())

    assert page.status_code == 200
    shown = page.context["run"]
    assert shown.status == RunStatus.FAILED
    assert shown.lost == RunLoss.WORKER_STOPPED
    assert shown.finished_at is not None
    html = page.content.decode()
    # The date too when the last sign of life was on another day (just after midnight).
    reason = rf"The worker stopped \(no sign of life since (\d{{4}}-\d\d-\d\d )?{last}\); start"
    assert re.search(reason + r" the run again\.", html)
    assert "scenario-run.js" not in html  # no more polling
    status = planner_client.get(reverse("scenarios:run_status", args=[run.pk])).json()
    assert status["finished"] is True
    assert last in status["error"]


@pytest.mark.django_db
def test_the_reason_gives_the_date_of_a_sign_of_life_on_another_day(world):
    translation.activate("en")  # the reason is read in English
    run = make_run(world, **running(minutes_silent=3 * 24 * 60))
    runs.expire_runs()
    run.refresh_from_db()
    when = timezone.localtime(run.heartbeat_at)
    assert f"since {when:%Y-%m-%d %H:%M})" in run.failure_message


@pytest.mark.django_db
def test_the_polling_status_ends_a_silent_run(planner_client, world):
    run = make_run(world, **running(minutes_silent=10))
    status = planner_client.get(reverse("scenarios:run_status", args=[run.pk])).json()
    assert status["status"] == RunStatus.FAILED
    assert status["finished"] is True


@pytest.mark.django_db
def test_the_run_lists_end_silent_runs(planner_client, world):
    run = make_run(world, **running(minutes_silent=10))
    planner_client.get(reverse("scenarios:index"))
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    other = make_run(world, **running(minutes_silent=10))
    planner_client.get(other.scenario.get_absolute_url())
    other.refresh_from_db()
    assert other.status == RunStatus.FAILED


@pytest.mark.django_db
def test_a_run_that_beat_recently_keeps_running(planner_client, world, settings):
    settings.RUN_HEARTBEAT_TIMEOUT = 120
    run = make_run(world, **running(minutes_silent=1.5))  # started long ago, beats still
    page = planner_client.get(run.get_absolute_url())
    assert page.context["run"].status == RunStatus.RUNNING
    assert runs.expire_runs() == 0
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.finished_at is None


@pytest.mark.django_db
def test_the_timeout_is_a_setting(world, settings):
    run = make_run(world, **running(minutes_silent=1.5))
    settings.RUN_HEARTBEAT_TIMEOUT = 60
    assert runs.expire_runs() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED


@pytest.mark.django_db
def test_expiring_is_one_conditional_update(world, django_assert_num_queries):
    silent = make_run(world, **running(minutes_silent=10))
    live = make_run(world, **running(minutes_silent=0))
    done = make_run(
        world,
        status=RunStatus.SUCCEEDED,
        started_at=timezone.now() - timedelta(hours=2),
        heartbeat_at=timezone.now() - timedelta(hours=1),
        finished_at=timezone.now() - timedelta(hours=1),
    )
    with django_assert_num_queries(1):
        assert OptimisationRun.objects.expire() == 1
    silent.refresh_from_db()
    first_end = silent.finished_at
    # A second server expiring a moment later finds nothing left to end.
    assert OptimisationRun.objects.expire(now=timezone.now() + timedelta(seconds=1)) == 0
    silent.refresh_from_db()
    assert silent.finished_at == first_end
    for run, status in [(live, RunStatus.RUNNING), (done, RunStatus.SUCCEEDED)]:
        run.refresh_from_db()
        assert run.status == status


@pytest.mark.django_db
def test_a_silent_run_asked_to_cancel_ends_cancelled(world):
    run = make_run(world, **running(minutes_silent=10, cancel_requested=True))
    assert runs.expire_runs() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert run.lost == ""
    assert run.failure_message == ""


@pytest.mark.django_db
def test_runs_started_before_heartbeats_count_from_their_start(world):
    old = make_run(world, status=RunStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1))
    assert runs.expire_runs() == 1
    old.refresh_from_db()
    assert old.status == RunStatus.FAILED


@pytest.mark.django_db
def test_expire_runs_command(world):
    run = make_run(world, **running(minutes_silent=10))
    call_command("expire_runs", verbosity=0)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.lost == RunLoss.WORKER_STOPPED


# --- Queued runs: abandoned only when their task is ----------------------------------------------


@pytest.fixture
def queued_task(world, settings):
    """A queued run with its task in the database queue, enqueued an hour ago."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS
    run = runs.start_optimisation(
        scenario=make_scenario(),
        user=None,
        model="mclp",
        service_type=world["canteen"],
        new_sites=1,
        target_share=None,
        locked=[],
        excluded=[],
        method="auto",
        time_limit_s=10,
    )
    hour_ago = timezone.now() - timedelta(hours=1)
    OptimisationRun.objects.filter(pk=run.pk).update(created_at=hour_ago)
    task = DBTaskResult.objects.get(id=run.task_result_id)
    return run, DBTaskResult.objects.filter(pk=task.pk)


@pytest.mark.django_db
def test_a_queued_run_waiting_behind_a_busy_queue_is_not_abandoned(queued_task):
    run, task = queued_task
    assert runs.expire_runs() == 0
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["deleted", "failed", "claimed long ago"])
def test_a_queued_run_whose_task_is_lost_fails(queued_task, what, planner_client):
    run, task = queued_task
    if what == "deleted":
        task.delete()
    elif what == "failed":
        task.update(status="FAILED", finished_at=timezone.now())
    else:  # a worker took it and died before it could start the run
        task.update(status="RUNNING", started_at=timezone.now() - timedelta(minutes=30))
    planner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = planner_client.get(run.get_absolute_url())
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.lost == RunLoss.TASK_LOST
    assert "lost before a worker took it up; start the run again" in page.content.decode()


@pytest.mark.django_db
def test_a_queued_run_whose_task_was_just_claimed_waits(queued_task):
    run, task = queued_task
    task.update(status="RUNNING", started_at=timezone.now())
    assert runs.expire_runs() == 0
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED


# --- Cancelling ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cancelling_a_silent_running_run_ends_it_at_once(planner_client, world):
    run = make_run(world, **running(minutes_silent=10))
    planner_client.post(reverse("scenarios:run_cancel", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert run.finished_at is not None


@pytest.mark.django_db
def test_cancelling_a_live_running_run_only_asks_its_worker(planner_client, world):
    run = make_run(world, **running(minutes_silent=0))
    planner_client.post(reverse("scenarios:run_cancel", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING
    assert run.cancel_requested is True
    assert run.finished_at is None


# --- The task ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_task_starting_for_an_ended_run_does_not_resurrect_it(world):
    run = make_run(world, **running(minutes_silent=10))
    runs.expire_runs()
    assert runs.run_optimisation(run.pk) == {"status": "skipped"}
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.lost == RunLoss.WORKER_STOPPED


@pytest.mark.django_db
def test_a_worker_waking_after_its_run_expired_keeps_the_expiry(world, monkeypatch):
    """A worker that lost the database for longer than the timeout comes back mid-solve."""
    run = make_run(world)
    real_solve = optimisation.solve

    def solve_while_expired(**kwargs):
        later = timezone.now() + timedelta(seconds=settings.RUN_HEARTBEAT_TIMEOUT + 1)
        assert runs.expire_runs(now=later) == 1
        return real_solve(**kwargs)

    monkeypatch.setattr(optimisation, "solve", solve_while_expired)
    runs.run_optimisation(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.lost == RunLoss.WORKER_STOPPED
    assert run.result_scenario is None


@pytest.mark.django_db
def test_progress_is_a_sign_of_life(world, monkeypatch):
    run = make_run(world)
    beats = []

    def solve_and_look(**kwargs):
        beats.append(OptimisationRun.objects.get(pk=run.pk).heartbeat_at)
        return real_solve(**kwargs)

    real_solve = optimisation.solve
    monkeypatch.setattr(optimisation, "solve", solve_and_look)
    runs.run_optimisation(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert beats[0] is not None and beats[0] > run.started_at


@pytest.mark.django_db(transaction=True)
def test_a_long_solve_keeps_beating(world, monkeypatch, settings):
    """The solver calls nothing back for its whole time limit: a thread beats meanwhile."""
    settings.RUN_HEARTBEAT_TIMEOUT = 0.2  # a beat every 0.05 s
    run = make_run(world)
    beaten, release = threading.Event(), threading.Event()
    real_beat, real_solve = OptimisationRunQuerySet.beat, optimisation.solve

    def beat_once(self, **kwargs):
        updated = real_beat(self, **kwargs)
        if updated:
            beaten.set()
            release.wait(30)  # no more writes from this thread while the run finishes
        return updated

    seen = {}

    def long_solve(**kwargs):
        assert beaten.wait(30), "no heartbeat during the solve"
        seen["heartbeat"] = OptimisationRun.objects.get(pk=run.pk).heartbeat_at
        return real_solve(**kwargs)

    monkeypatch.setattr(OptimisationRunQuerySet, "beat", beat_once)
    monkeypatch.setattr(optimisation, "solve", long_solve)
    try:
        result = runs.run_optimisation(run.pk)
    finally:
        release.set()
    run.refresh_from_db()
    assert result["status"] == "succeeded", run.error
    assert seen["heartbeat"] > run.started_at


# --- db_worker through a database outage ------------------------------------------------------


def test_our_db_worker_replaces_the_librarys():
    assert get_commands()["db_worker"] == "fenglin"


def test_backoff_doubles_up_to_a_cap():
    from fenglin.management.commands import db_worker

    delays = [db_worker.backoff_delay(n) for n in range(1, 10)]
    assert delays[:4] == [1, 2, 4, 8]
    assert all(b >= a for a, b in zip(delays, delays[1:], strict=False))
    assert max(delays) == db_worker.BACKOFF_MAX_S


@pytest.mark.django_db(transaction=True)
def test_db_worker_waits_out_a_database_outage_then_runs_the_task(world, settings, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    from fenglin.management.commands import db_worker

    settings.TASKS = DATABASE_TASKS
    run = runs.start_optimisation(
        scenario=make_scenario(),
        user=None,
        model="mclp",
        service_type=world["canteen"],
        new_sites=1,
        target_share=None,
        locked=[world["s1"], world["h"]],
        excluded=[],
        method="auto",
        time_limit_s=10,
    )
    database = connections["default"]
    real_cursor = database.cursor
    outage = {"polls": 3}

    def cursor(*args, **kwargs):
        if outage["polls"]:
            outage["polls"] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return real_cursor(*args, **kwargs)

    delays = []
    monkeypatch.setattr(database, "cursor", cursor)
    monkeypatch.setattr(db_worker, "sleep", delays.append)
    monkeypatch.setattr(db_worker.Worker, "configure_signals", lambda self: None)

    call_command(
        "db_worker",
        "--queue-name",
        "*",
        "--batch",
        "--no-reload",
        "--no-startup-delay",
        "--interval",
        "0",
        verbosity=0,
    )

    assert outage["polls"] == 0
    assert delays == [1, 2, 4]
    assert DBTaskResult.objects.get(id=run.task_result_id).status == "SUCCESSFUL"
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error


# --- kill -9 ------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a worker in another process needs a shared database (DATABASE_URL=postgres://...)",
)
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_solve_leaves_a_failed_run_with_the_reason(
    world, settings, planner_client
):
    from tests.scenarios.worker_tasks import optimise_forever

    settings.TASKS = DATABASE_TASKS
    run = make_run(world)
    task_result = optimise_forever.enqueue(run.pk)
    OptimisationRun.objects.filter(pk=run.pk).update(task_result_id=task_result.id)

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "a-worker-test-key-" + "x" * 40,
        "DATABASE_URL": (
            f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "RUN_HEARTBEAT_TIMEOUT": "2",  # a beat every 0.5 s
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"]
        + ["--no-startup-delay", "--interval", "0.1"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def current():
            return OptimisationRun.objects.get(pk=run.pk)

        wait_for(lambda: current().stage == "Solving", "the worker to start solving")
        solving_since = current().heartbeat_at
        wait_for(lambda: current().heartbeat_at > solving_since, "a heartbeat during the solve")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=60)

    assert current().status == RunStatus.RUNNING  # nobody said otherwise yet
    # Ten minutes of silence pass.
    last = current().heartbeat_at - timedelta(minutes=10)
    OptimisationRun.objects.filter(pk=run.pk).update(heartbeat_at=last)

    planner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = planner_client.get(run.get_absolute_url())
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.lost == RunLoss.WORKER_STOPPED
    since = timezone.localtime(last).strftime("%H:%M")
    assert re.search(rf"no sign of life since [-\d ]*{since}\)", page.content.decode())


@pytest.mark.django_db
def test_the_admin_shows_a_runs_last_sign_of_life_and_why_it_was_lost(client, admin_user, world):
    run = make_run(world, **running(minutes_silent=10))
    runs.expire_runs()
    client.force_login(admin_user)
    page = client.get(reverse("admin:scenarios_optimisationrun_change", args=[run.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    # Shown, and only the worker and the expiry write them: not fields to edit.
    assert "field-heartbeat_at" in html and 'name="heartbeat_at' not in html
    assert "field-lost" in html and 'name="lost"' not in html
