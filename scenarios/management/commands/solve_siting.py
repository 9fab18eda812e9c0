"""``manage.py solve_siting FILE.json``: solve a siting instance, print one JSON object."""

import json
import math
import time

from django.core.management.base import BaseCommand, CommandError

from siting import InstanceError, load_instance, solve_instance
from siting.instance import MODELS
from siting.mclp import METHODS


def _seconds(value: str | float | None) -> float | None:
    """The time limit as a positive, finite number of seconds (None: none given)."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        raise CommandError(
            f"the time limit must be a number of seconds, got {value!r}", returncode=2
        ) from None
    if not (seconds > 0 and math.isfinite(seconds)):
        raise CommandError(
            f"the time limit must be a positive, finite number of seconds, got {value!r}",
            returncode=2,
        )
    return seconds


class Command(BaseCommand):
    help = (
        "Solve a siting instance (JSON, or gzip-compressed .json.gz; format in "
        "shared/siting/README.md) and print the result as one JSON object. "
        "A malformed or missing file exits with status 2."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="instance file (.json or .json.gz)")
        parser.add_argument("--model", choices=MODELS, default="mclp")
        # Checked in handle(), so that a bad value is one line (argparse adds its usage).
        parser.add_argument(
            "--time-limit", default=None, help="seconds for the whole solve (positive, finite)"
        )
        parser.add_argument("--method", choices=METHODS, default="auto")

    def handle(self, *args, **options):
        started = time.perf_counter()  # the time limit covers reading the file too
        time_limit = _seconds(options["time_limit"])
        try:
            instance = load_instance(options["file"])
            result = solve_instance(
                instance,
                options["model"],
                method=options["method"],
                time_limit=time_limit,
                started=started,
            )
        except InstanceError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False, allow_nan=False))
