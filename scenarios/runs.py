"""Optimisation runs: start, progress, heartbeat, cancel, expire, finish.

A run is recorded and its task enqueued in one transaction; the task (`run_optimisation`)
solves it (`scenarios.optimisation`) and saves the answer as a new scenario. Every state change
is one conditional UPDATE on the run (`OptimisationRunQuerySet`), so the task, a cancel and
every server expiring silent runs cannot undo each other.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from scenarios import optimisation
from scenarios.models import (
    OptimisationRun,
    RunStatus,
    Scenario,
    ScenarioAddition,
    SitingModel,
    heartbeat_timeout,
)
from scenarios.services import acting_user, copy_scenario
from sites.models import ServiceType, Site

logger = logging.getLogger(__name__)


class RunCancelled(Exception):
    """The planner cancelled the run; raised between stages."""


@transaction.atomic
def start_optimisation(
    *,
    scenario: Scenario,
    user,
    model: str,
    service_type: ServiceType | None,
    new_sites: int | None,
    target_share: Decimal | None,
    locked: Iterable[Site],
    excluded: Iterable[Site],
    method: str,
    time_limit_s: int,
    shared_service_types: Sequence[ServiceType] = (),
) -> OptimisationRun:
    """Record an optimisation run and enqueue its task (in the same transaction).

    The shared-buildings model takes ``shared_service_types`` instead of ``service_type``;
    the services already offered in the scenario always keep their buildings.
    """
    from scenarios.tasks import optimise  # the task module imports this one

    run = OptimisationRun(
        scenario=scenario,
        model=model,
        service_type=service_type,
        service_type_ids=sorted(t.pk for t in shared_service_types),
        new_sites=new_sites if model != SitingModel.LSCP else None,
        target_share=target_share if model == SitingModel.LSCP else None,
        locked_site_ids=sorted(s.pk for s in locked),
        excluded_site_ids=sorted(s.pk for s in excluded),
        method=method,
        time_limit_s=time_limit_s,
        stage=gettext_noop("Waiting for a worker"),
        created_by=acting_user(user),
    )
    run.full_clean()
    run.save()
    task_result = optimise.enqueue(run.pk)
    # Only the id: with an immediate backend the task has already written its own progress.
    OptimisationRun.objects.filter(pk=run.pk).update(task_result_id=str(task_result.id)[:64])
    run.refresh_from_db()
    return run


@transaction.atomic
def request_cancel(*, run: OptimisationRun) -> OptimisationRun:
    """Ask a run to stop. A run no live worker holds (still queued, or running but silent for
    longer than the heartbeat timeout) is cancelled at once; a live one stops after its stage."""
    OptimisationRun.objects.filter(pk=run.pk).cancel()
    run.refresh_from_db()
    return run


@transaction.atomic
def expire_runs(*, pks: Collection[int] | None = None, now: datetime | None = None) -> int:
    """End the runs that no worker will finish (all of them, or those among ``pks``).

    A running run whose worker gave no sign of life for longer than `RUN_HEARTBEAT_TIMEOUT`
    fails with the reason on its page. A queued run is only abandoned when its task is: a
    busy queue keeps tasks waiting as long as it must, so waiting alone proves nothing.
    Returns how many runs were ended.

    Pages showing runs call this so that none shows a dead run as running; when nothing is to
    be ended (nearly always) it only reads, so those page views write nothing.
    """
    now = now or timezone.now()
    runs = OptimisationRun.objects.all()
    if pks is not None:
        runs = runs.filter(pk__in=pks)
    ended = runs.expire(now=now) if runs.silent(now=now).exists() else 0
    lost = _lost_task_runs(runs, cutoff=now - heartbeat_timeout())
    if lost:
        ended += runs.filter(pk__in=lost).abandon(now=now)
    if ended:
        logger.warning("Ended %s optimisation run(s) that no worker would finish", ended)
    return ended


def _lost_task_runs(runs, *, cutoff: datetime) -> list[int]:
    """Queued runs, older than ``cutoff``, whose task no worker will run: its row is gone or
    finished, or a worker claimed it before ``cutoff`` and died before starting the run."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from scenarios.tasks import optimise

    # Other backends (the immediate one of the tests) run the task before its run is shown.
    if not isinstance(optimise.get_backend(), DatabaseBackend):
        return []
    waiting = dict(
        runs.filter(status=RunStatus.QUEUED, created_at__lt=cutoff).values_list(
            "pk", "task_result_id"
        )
    )
    if not waiting:
        return []
    task_ids = {}
    for pk, task_id in waiting.items():
        try:
            task_ids[pk] = uuid.UUID(task_id)
        except ValueError:
            continue  # never enqueued: lost
    alive = set(
        DBTaskResult.objects.filter(id__in=task_ids.values())
        .filter(
            Q(status=TaskResultStatus.READY)
            | Q(status=TaskResultStatus.RUNNING, started_at__gte=cutoff)
        )
        .values_list("id", flat=True)
    )
    return [pk for pk in waiting if task_ids.get(pk) not in alive]


@contextmanager
def _heartbeat(run_id: int) -> Iterator[None]:
    """Beat for the run from a daemon thread while the block runs.

    A solver phase may run for its whole time limit without calling back, and a run that
    stays silent longer than the timeout is taken for one whose worker died.
    """
    interval = max(float(settings.RUN_HEARTBEAT_TIMEOUT) / 4, 0.01)
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    OptimisationRun.objects.filter(pk=run_id).beat()
                except DatabaseError:
                    # The next beat tries again; if none gets through, the run expires.
                    logger.warning("Heartbeat of optimisation run %s not saved", run_id)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"run-{run_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval)


def _progress(run_id: int, progress: int, stage: str) -> None:
    """Write progress, unless the run was cancelled; then stop the task.

    `stage` is an untranslated message: pages translate it into the reader's language.
    """
    updated = OptimisationRun.objects.filter(
        pk=run_id, cancel_requested=False, status=RunStatus.RUNNING
    ).update(progress=progress, stage=stage, heartbeat_at=timezone.now())
    if not updated:
        raise RunCancelled


def run_optimisation(run_id: int) -> dict:
    """The body of the optimisation task: solve, explain, save the result as a new scenario.

    Each stage checks the cancel flag; a failure is recorded on the run, never left running.
    A heartbeat thread shows the run alive through long solver phases; if the worker dies,
    the silence ends the run (`expire_runs`).
    """
    runs = OptimisationRun.objects.filter(pk=run_id)
    if not runs.start():
        return {"status": "skipped"}
    try:
        with _heartbeat(run_id):
            run = OptimisationRun.objects.select_related("scenario", "service_type").get(pk=run_id)
            answer = optimisation.answer(
                run, lambda progress, stage: _progress(run_id, progress, stage)
            )
            result_scenario = _save_and_finish(run, answer)
    except RunCancelled:
        # Also when the run was expired meanwhile: then it keeps the end it was given.
        runs.end_running(status=RunStatus.CANCELLED, stage=gettext_noop("Cancelled"))
        return {"status": "cancelled"}
    except Exception as exc:  # recorded for the planner; the task itself succeeds
        runs.end_running(
            status=RunStatus.FAILED,
            stage=gettext_noop("Failed"),
            error=str(exc)[:2000] or exc.__class__.__name__,
        )
        return {"status": "failed"}
    # The solver's own "status" (optimal, time limit…) stays inside: it is not the run's.
    return {
        "status": "succeeded",
        "scenario": result_scenario.pk,
        "solution": answer.summary["solution"],
    }


def _save_and_finish(run: OptimisationRun, answer: optimisation.Answer) -> Scenario:
    """Save the answer as a copy of the run's scenario with its additions (at the standard's
    minimum floor area) and mark the run finished."""
    _progress(run.pk, 90, gettext_noop("Saving the new scenario"))
    with transaction.atomic():
        # Last check: a cancel that arrived while solving wins over saving.
        _progress(run.pk, 95, gettext_noop("Saving the new scenario"))
        result = copy_scenario(
            scenario=run.scenario,
            name=answer.name[:150],
            name_en=answer.name_en[:150],
            user=run.created_by,
            description=gettext("Result of optimisation run %(id)s.") % {"id": run.pk},
        )
        ScenarioAddition.objects.bulk_create(
            [
                ScenarioAddition(
                    scenario=result,
                    site_id=site_id,
                    service_type=service_type,
                    floor_area_m2=service_type.min_floor_area_m2,
                )
                for site_id, service_type in answer.additions
            ],
            ignore_conflicts=True,
        )
        OptimisationRun.objects.filter(pk=run.pk).update(
            status=RunStatus.SUCCEEDED,
            progress=100,
            stage=gettext_noop("Finished"),
            summary=answer.summary,
            result_scenario=result,
            finished_at=timezone.now(),
        )
    return result
