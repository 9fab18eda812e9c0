from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fenglin import backup


class Command(BaseCommand):
    help = (
        "Restore a backup into a scratch database (or open the SQLite snapshot) and check that "
        "every table has the same number of rows as the live database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup_file")

    def handle(self, *args, backup_file: str, **options) -> None:
        path = Path(backup_file)
        if not path.is_file():
            raise CommandError(f"No backup file at {path}.")
        live = backup.table_counts()
        try:
            restored = backup.restored_counts(path, list(live))
        except Exception as exc:
            raise CommandError(f"The backup does not restore: {exc}") from exc
        different = {t: (live[t], restored.get(t)) for t in live if live[t] != restored.get(t)}
        for table, (live_rows, restored_rows) in sorted(different.items()):
            self.stderr.write(f"{table}: live {live_rows} rows, restored {restored_rows}")
        if different:
            raise CommandError(f"{len(different)} tables differ between the backup and live data.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restore checked: {len(live)} tables, {sum(live.values())} rows, all equal."
            )
        )
