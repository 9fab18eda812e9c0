"""``manage.py walk_times NETWORK POINTS SITES``: walking distances of every pair within reach.

NETWORK is a GeoJSON file of lines or an OpenStreetMap extract (.osm, .osm.pbf); POINTS and
SITES are CSV files with the columns id, lat, lng. Prints CSV ``point_id,site_id,metres,minutes``
for every pair within the minutes at the speed, metres and minutes to 0.1, by point then site in
the files' order. A bad file: one line on standard error and exit status 2.
"""

import math
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from fenglin.tabular import Limits, TableError, read_table
from siting.constants import WALKING_SPEED_M_PER_MIN
from siting.geometry import TooManyPairs
from siting.network import NetworkError, load_network, pairs_within

DEFAULT_MAX_MINUTES = 15.0
# A command reads local files: far larger than the web upload limits, still bounded.
MAX_ROWS = 1_000_000
MAX_BYTES = 100 * 1024 * 1024
COLUMNS = ("id", "lat", "lng")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?")
_CHUNK = 100_000  # output rows written at a time


def _positive(value: str, what: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (number > 0 and math.isfinite(number)):
        raise CommandError(f"{what} must be a positive number, got {value!r}", returncode=2)
    return number


def _coordinate(text: str, name: str, limit: float, where: str) -> float:
    if not _DECIMAL.fullmatch(text):
        raise CommandError(f"{where}: {name} {text[:40]!r} is not a number", returncode=2)
    value = float(text)
    if not -limit <= value <= limit:
        raise CommandError(
            f"{where}: {name} {text[:40]} is outside [-{limit:g}, {limit:g}]", returncode=2
        )
    return value


def read_places(path: str, label: str) -> tuple[list[str], list[float], list[float]]:
    """Ids, latitudes and longitudes from a CSV file with the columns id, lat, lng."""
    where = f"{label} file {path}"
    try:
        with Path(path).open("rb") as file:
            table = read_table(file, limits=Limits(rows=MAX_ROWS), max_bytes=MAX_BYTES)
    except FileNotFoundError:
        raise CommandError(f"{where}: no such file", returncode=2) from None
    except IsADirectoryError:
        raise CommandError(f"{where}: is a directory", returncode=2) from None
    except OSError as exc:
        raise CommandError(f"{where}: cannot read: {exc.strerror or exc}", returncode=2) from None
    except TableError as exc:
        raise CommandError(f"{where}: {exc}", returncode=2) from None
    missing = [column for column in COLUMNS if column not in table.header]
    if missing:
        raise CommandError(
            f"{where}: the columns must be id, lat, lng; missing {', '.join(missing)}",
            returncode=2,
        )
    ids, lats, lngs, seen = [], [], [], {}
    for number, row in table.rows:
        at = f"{where}, row {number}"
        ident = row["id"]
        if not ident:
            raise CommandError(f"{at}: the id is empty", returncode=2)
        if ident in seen:
            raise CommandError(
                f"{at}: id {ident[:40]!r} is also in row {seen[ident]}", returncode=2
            )
        seen[ident] = number
        ids.append(ident)
        lats.append(_coordinate(row["lat"], "lat", 90, at))
        lngs.append(_coordinate(row["lng"], "lng", 180, at))
    return ids, lats, lngs


class Command(BaseCommand):
    help = (
        "Walking distances on a street network: prints CSV point_id,site_id,metres,minutes for "
        "every point-site pair within the minutes. NETWORK is GeoJSON (.geojson, .json) or "
        "OpenStreetMap (.osm, .osm.pbf); POINTS and SITES are CSV files with columns id,lat,lng. "
        "A bad file exits with status 2."
    )

    def add_arguments(self, parser):
        parser.add_argument("network", help="street network: .geojson, .json, .osm or .osm.pbf")
        parser.add_argument("points", help="CSV with columns id,lat,lng (where people are)")
        parser.add_argument("sites", help="CSV with columns id,lat,lng (the places walked to)")
        # Checked in handle(), so that a bad value is one line (argparse adds its usage).
        parser.add_argument(
            "--max-minutes", default=str(DEFAULT_MAX_MINUTES), help="reach in minutes (15)"
        )
        parser.add_argument(
            "--speed",
            default=str(WALKING_SPEED_M_PER_MIN),
            help=f"walking speed in metres per minute ({WALKING_SPEED_M_PER_MIN:g})",
        )

    @no_translations  # a tool's messages, in English like its options
    def handle(self, *args, **options):
        minutes = _positive(options["max_minutes"], "--max-minutes")
        speed = _positive(options["speed"], "--speed")
        point_ids, point_lat, point_lng = read_places(options["points"], "POINTS")
        site_ids, site_lat, site_lng = read_places(options["sites"], "SITES")
        try:
            network = load_network(options["network"])
            pairs = pairs_within(network, point_lat, point_lng, site_lat, site_lng, minutes * speed)
        except (NetworkError, TooManyPairs) as exc:
            raise CommandError(str(exc), returncode=2) from None
        self._write(pairs, point_ids, site_ids, speed)

    def _write(self, pairs, point_ids, site_ids, speed) -> None:
        # f-strings on precomputed, quoted ids: several times faster than csv.writer per row,
        # which matters at hundreds of thousands of rows.
        points = [_csv_field(ident) for ident in point_ids]
        sites = [_csv_field(ident) for ident in site_ids]
        self.stdout.write("point_id,site_id,metres,minutes")
        for lo in range(0, pairs.point.size, _CHUNK):
            p = pairs.point[lo : lo + _CHUNK].tolist()
            s = pairs.site[lo : lo + _CHUNK].tolist()
            metres = pairs.metres[lo : lo + _CHUNK]
            rows = zip(p, s, metres.tolist(), (metres / speed).tolist(), strict=True)
            text = "".join([f"{points[i]},{sites[j]},{m:.1f},{t:.1f}\n" for i, j, m, t in rows])
            self.stdout.write(text, ending="")


def _csv_field(text: str) -> str:
    """A CSV field as the csv module writes it: quoted when it holds a comma, a quote or a
    line break."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text
