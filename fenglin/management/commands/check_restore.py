from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fenglin import backup


class Command(BaseCommand):
    help = (
        "Restore a backup into a scratch database (or open the SQLite snapshot) and check that "
        "every table holds the rows the backup's manifest records: their number and contents. "
        "The live database is not consulted, so the check passes on a system that has moved on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup_file")

    def handle(self, *args, backup_file: str, verbosity: int = 1, **options) -> None:
        path = Path(backup_file)
        if not path.is_file():
            raise CommandError(f"No backup file at {path}.")
        try:
            result = backup.check_restore(
                path, progress=self.stdout.write if verbosity > 1 else lambda line: None
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        for problem in result.problems:
            self.stderr.write(problem)
        if not result.ok:
            raise CommandError(
                f"The backup {path} is not good: {len(result.problems)} problems (listed above)."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restore checked: {result.tables} tables, {result.rows} rows, all as backed up."
            )
        )
