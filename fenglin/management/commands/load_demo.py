"""Load the Fenglin demo data set: idempotent, so `make run` can call it every time."""

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from fenglin import demo_users

# Each app that has demo data offers `<app>.demo.load(stdout=..., responses=..., seed=...)`;
# they run in dependency order.
DEMO_MODULES = [
    "sites.demo",
    "sites.safety.demo",
    "surveys.demo",
    "scenarios.demo",
    "scenarios.public_demo",
]


class Command(BaseCommand):
    help = "Load the Fenglin demo data (illustrative coordinates); safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--responses", type=int, default=1000, help="Survey responses to generate."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")

    def handle(self, *args, responses: int, seed: int, **options) -> None:
        if responses < 0:
            from django.core.management.base import CommandError

            raise CommandError("--responses must be zero or more.")
        with transaction.atomic():
            for name in DEMO_MODULES:
                try:
                    module = importlib.import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name != name:
                        raise
                    continue
                module.load(stdout=self.stdout, responses=responses, seed=seed)
        if settings.DEBUG:
            demo_users.ensure(stdout=self.stdout)
        else:
            self.stdout.write("DEBUG is off: no demo accounts created.")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
