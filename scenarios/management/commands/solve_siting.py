"""``manage.py solve_siting FILE.json``: solve a siting instance, print one JSON object."""

import argparse
import json

from django.core.management.base import BaseCommand, CommandError

from scenarios.siting import InstanceError, load_instance, solve_instance
from scenarios.siting.instance import MODELS
from scenarios.siting.mclp import METHODS


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


class Command(BaseCommand):
    help = (
        "Solve a siting instance (JSON, or gzip-compressed .json.gz; format in "
        "shared/siting/README.md) and print the result as one JSON object. "
        "A malformed or missing file exits with status 2."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="instance file (.json or .json.gz)")
        parser.add_argument("--model", choices=MODELS, default="mclp")
        parser.add_argument(
            "--time-limit", type=_positive_seconds, default=None, help="seconds for the solver"
        )
        parser.add_argument("--method", choices=METHODS, default="auto")

    def handle(self, *args, **options):
        try:
            instance = load_instance(options["file"])
            result = solve_instance(
                instance,
                options["model"],
                method=options["method"],
                time_limit=options["time_limit"],
            )
        except InstanceError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False, allow_nan=False))
