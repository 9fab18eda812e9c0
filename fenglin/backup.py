"""Backups of the database and a check that a backup restores to the same data.

PostgreSQL: `pg_dump --format=custom` and `pg_restore` into a scratch database.
SQLite (the default for one machine): SQLite's online backup API, which copies a consistent
snapshot even while the app is writing.
"""

import os
import sqlite3
import subprocess
import uuid
from pathlib import Path

from django.apps import apps
from django.db import connection


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def _pg_env() -> dict[str, str]:
    settings = connection.settings_dict
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return env


def _pg_args(database: str | None = None) -> list[str]:
    settings = connection.settings_dict
    args = []
    if settings.get("HOST"):
        args += ["--host", settings["HOST"]]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", settings["USER"]]
    return [*args, "--dbname", database or settings["NAME"]]


def backup(destination: Path) -> Path:
    """Write a backup of the default database to `destination`."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    if _is_sqlite():
        connection.ensure_connection()
        target = sqlite3.connect(destination)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(destination), *_pg_args()],
            env=_pg_env(),
            check=True,
        )
    return destination


def table_counts() -> dict[str, int]:
    """Row counts of every model table in the live database."""
    tables = sorted(
        {m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.managed}
    )
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                counts[table] = cursor.fetchone()[0]
    return counts


def restored_counts(backup_file: Path, tables: list[str]) -> dict[str, int]:
    """Restore `backup_file` somewhere harmless and count the rows of `tables` there."""
    if _is_sqlite():
        restored = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        try:
            if restored.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise RuntimeError("the backup file fails SQLite's integrity check")
            return {
                t: restored.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables
            }
        finally:
            restored.close()

    scratch = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", *_pg_args(scratch), str(backup_file)],
            env=_pg_env(),
            check=True,
        )
        counts = {}
        for table in tables:
            result = subprocess.run(
                [
                    "psql",
                    "--no-psqlrc",
                    "-tA",
                    *_pg_args(scratch),
                    "-c",
                    f'SELECT COUNT(*) FROM "{table}"',
                ],
                env=_pg_env(),
                check=True,
                capture_output=True,
                text=True,
            )
            counts[table] = int(result.stdout.strip())
        return counts
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
