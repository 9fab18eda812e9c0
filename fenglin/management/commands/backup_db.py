from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from fenglin import backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump of one snapshot for PostgreSQL, a snapshot file for "
        "SQLite) with a manifest of its contents beside it, for check_restore."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "destination",
            nargs="?",
            help="File to write (default backups/fenglin-<timestamp>.dump|.sqlite3).",
        )

    def handle(self, *args, destination: str | None, **options) -> None:
        if destination is None:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            suffix = "sqlite3" if backup._is_sqlite() else "dump"
            destination = f"backups/fenglin-{stamp}.{suffix}"
        try:
            path = backup.backup(Path(destination))
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {path}, its manifest to {backup.manifest_path(path)}"
            )
        )
