"""``manage.py expire_runs``: end the optimisation runs that no worker will finish (for cron).

Run pages and every `db_worker` do the same on their own; this is for a deployment that wants
it on a schedule as well, e.g. every five minutes.
"""

from django.core.management.base import BaseCommand

from scenarios import runs


class Command(BaseCommand):
    help = (
        "Mark as failed the optimisation runs whose worker stopped (no sign of life for longer "
        "than RUN_HEARTBEAT_TIMEOUT) and the queued runs whose task was lost."
    )

    def handle(self, *args, **options) -> None:
        ended = runs.expire_runs()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{ended} run(s) ended.")
