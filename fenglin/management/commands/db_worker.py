"""``manage.py db_worker``: django-tasks-db's worker, kept alive through database outages.

The library's worker exits on any database error other than a locked SQLite file, so a
restart of PostgreSQL or a network blip would stop every worker for good. This one logs the
error, waits (1 s, 2 s, 4 s … at most 60 s) and polls again, with the library's options
unchanged (`db_worker --queue-name '*'`). Every half heartbeat timeout it also runs
`expire_runs`, so that runs whose worker died end even if nobody opens their page.
A process supervisor (systemd, deploy/fenglin-worker.service) restarts it if it dies anyway.
"""

import logging
import os
import threading
from time import monotonic, sleep

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError, close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

# The library's logger: the command sets its level and handler from --verbosity.
logger = logging.getLogger("django_tasks_db")

BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 60.0
# Commands the worker runs periodically (by name: fenglin imports nothing from the apps).
PERIODIC_COMMANDS = ("expire_runs",)


def backoff_delay(failures: int) -> float:
    """Seconds to wait after ``failures`` failed polls in a row (1, 2, 4, … capped)."""
    return min(BACKOFF_FIRST_S * 2 ** max(failures - 1, 0), BACKOFF_MAX_S)


class Worker(db_worker.Worker):
    """The library's worker loop, restarted after a database error instead of exiting."""

    def run(self) -> None:
        stop = threading.Event()
        checks = threading.Thread(
            target=_periodic_checks, args=(stop,), name="db-worker-checks", daemon=True
        )
        checks.start()
        try:
            self._run_through_outages()
        finally:
            stop.set()

    def _run_through_outages(self) -> None:
        failures = 0
        while True:
            started = monotonic()
            try:
                return super().run()
            except (OperationalError, InterfaceError) as exc:
                if not self.running:  # asked to stop: do not wait for the database
                    raise
                if monotonic() - started > BACKOFF_MAX_S:
                    failures = 0  # it worked for a while: a new outage starts from 1 s
                failures += 1
                delay = backoff_delay(failures)
                logger.warning(
                    "Database error in worker_id=%s (%s); polling again in %.0f s",
                    self.worker_id,
                    " ".join(str(exc).split()) or exc.__class__.__name__,
                    delay,
                )
                # A connection the error broke is dropped; the next poll opens a new one.
                close_old_connections()
                sleep(delay)
                self.startup_delay = False


def _periodic_checks(stop: threading.Event) -> None:
    period = max(float(settings.RUN_HEARTBEAT_TIMEOUT) / 2, 1.0)
    while not stop.wait(period):
        for name in PERIODIC_COMMANDS:
            try:
                call_command(name, verbosity=0)
            except Exception as exc:  # a database outage: the next round tries again
                logger.warning("%s failed (%s); trying again in %.0f s", name, exc, period)
            finally:
                close_old_connections()


class Command(db_worker.Command):
    help = (
        "Run a database background worker. Database errors are logged and retried with a "
        "growing delay instead of stopping the worker."
    )

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options,
    ) -> None:
        # As the library's handle(), with this module's Worker.
        self.configure_logging(verbosity)
        if reload and batch:
            logger.warning("--reload and --batch cannot be specified together; not reloading.")
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only in the child process that runs tasks
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
