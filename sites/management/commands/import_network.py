"""``manage.py import_network FILE [--name N] [--illustrative] [--activate]``: a new version of
the walking network.

Reads a GeoJSON file of lines or an OpenStreetMap extract (.osm, .osm.pbf) and prints what
would change against the active version: segments and length before and after, and the share
of the old network's length the new one still has. Only with --activate is the network stored
as a new version and made the active one; without it nothing is saved. A bad file: one line on
standard error and exit status 2.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from sites.network import NAME_MAX_LENGTH, NetworkImport, import_network


class Command(BaseCommand):
    help = (
        "Import a walking network (GeoJSON .geojson/.json or OpenStreetMap .osm/.osm.pbf) and "
        "preview what changes against the active version; --activate stores it as a new version "
        "and makes it active. A bad file exits with status 2."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="street network: .geojson, .json, .osm or .osm.pbf")
        parser.add_argument(
            "--name", default="", help="the version's name (the file's name without extension)"
        )
        parser.add_argument(
            "--illustrative",
            action="store_true",
            help="approximate demo geometry: pages measuring on it say so",
        )
        parser.add_argument(
            "--activate",
            action="store_true",
            help="store the network as a new version and make it active (else: preview only)",
        )

    @no_translations  # a tool's messages, in English like its options
    def handle(self, *args, **options):
        path = Path(options["path"])
        # A name given is checked as given; one taken from the file is cut to fit.
        name = options["name"] or (path.name.split(".")[0] or path.name)[:NAME_MAX_LENGTH]
        try:
            result = import_network(
                path=path,
                name=name,
                illustrative=options["illustrative"],
                activate=options["activate"],
            )
        except ValueError as exc:  # a NetworkError (a bad file) is a ValueError too
            raise CommandError(str(exc), returncode=2) from None
        self._report(result, options["activate"])

    def _report(self, result: NetworkImport, activate: bool) -> None:
        change, previous = result.change, result.previous
        write = self.stdout.write
        write(f"Network file: {result.source_name}")
        rows = [("", "segments", "length (km)")]
        if previous.on_network:
            rows.append(
                (
                    f"active ({previous.name} v{previous.network_id})",
                    f"{change.old_segments:,}",
                    f"{change.old_length_m / 1000:,.2f}",
                )
            )
        else:
            rows.append(("active (none: straight line × detour)", "–", "–"))
        rows.append(("new", f"{change.new_segments:,}", f"{change.new_length_m / 1000:,.2f}"))
        width = max(len(row[0]) for row in rows)
        for label, segments, length in rows:
            write(f"  {label:<{width}}  {segments:>10}  {length:>12}")
        if change.kept_share is not None:
            write(
                f"Still present: {change.kept_share:.1%} of the active network's length"
                f" ({change.kept_length_m / 1000:,.2f} km)."
            )
        if result.identical:
            write("The new network has the same segments as the active version.")
        if result.stored is None:
            write("Preview only: nothing saved. Run again with --activate to store and activate.")
        else:
            stored = result.stored
            write(
                self.style.SUCCESS(
                    f"Stored as {stored.name} v{stored.pk} and activated"
                    + (" (illustrative)" if stored.illustrative else "")
                    + (
                        f"; {previous.name} v{previous.network_id} is kept, inactive."
                        if previous.on_network
                        else "."
                    )
                )
            )
