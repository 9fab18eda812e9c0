"""Backups of the database, each with a manifest of what it holds, and a check that a backup
restores to exactly that.

A backup is two files: the dump and, beside it, `<dump>.manifest.json`, which records the
dump's checksum and, for every table in it, the number of rows and a hash of their contents,
taken from the very snapshot the dump was made from:

PostgreSQL: a REPEATABLE READ transaction exports its snapshot (`pg_export_snapshot()`);
`pg_dump --snapshot` dumps that snapshot while the transaction computes the manifest from it.
SQLite (the default for one machine): SQLite's online backup API writes a consistent snapshot
file even while the app is writing, and the manifest is computed from that file.

`check_restore` restores the dump into a scratch database (on SQLite it opens the snapshot
read-only) and compares it with the manifest, never with the live database, which has moved on
since the backup: it passes for a good backup on a busy system and fails for a dump that is
corrupt or does not hold what was backed up.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.utils import timezone

MANIFEST_FORMAT = 1
MANIFEST_SUFFIX = ".manifest.json"

# Output settings that fix how PostgreSQL writes a row as text, so that the live snapshot and
# the restored copy hash the same rows to the same value whatever the server's defaults.
_PG_TEXT_SETTINGS = [
    "SET LOCAL TIME ZONE 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL extra_float_digits = 3",
    "SET LOCAL bytea_output = 'hex'",
    # The manifest reads every row: the web requests' statement timeout must not end it.
    "SET LOCAL statement_timeout = 0",
]

# A row's hash is the first 8 bytes of the MD5 of its text; a table's hash is the sum of its
# rows' hashes: independent of the order rows come back in, one pass, no large string.
_PG_TABLE_SUMMARY = (
    "SELECT count(*), coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint::numeric), 0)"
    " FROM {table} AS t"
)


class BackupError(Exception):
    """The backup could not be written, restored or checked; the message says why."""


@dataclass(frozen=True)
class TableSummary:
    rows: int
    content: str  # a hash of every row's contents

    def as_json(self) -> dict:
        return {"rows": self.rows, "content": self.content}


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name + MANIFEST_SUFFIX)


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- Summaries of every table ----------------------------------------------------------------


def _sqlite_row_hash(row: tuple) -> int:
    text = repr(row).encode("utf-8", errors="surrogatepass")
    return int.from_bytes(hashlib.md5(text, usedforsecurity=False).digest()[:8], "big")


def sqlite_summaries(database: sqlite3.Connection) -> dict[str, TableSummary]:
    """Every table of a SQLite database: its rows and a hash of their contents."""
    names = [
        row[0]
        for row in database.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    summaries = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        rows, total = 0, 0
        for row in database.execute(f"SELECT * FROM {quoted}"):
            rows += 1
            total += _sqlite_row_hash(row)
        summaries[name] = TableSummary(rows, str(total))
    return summaries


def postgres_summaries(cursor) -> dict[str, TableSummary]:
    """Every table of the public schema, read in the cursor's transaction (which the caller
    has made REPEATABLE READ, so that every table is read at the same moment)."""
    for statement in _PG_TEXT_SETTINGS:
        cursor.execute(statement)
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    names = [row[0] for row in cursor.fetchall()]
    summaries = {}
    for name in names:
        cursor.execute(_PG_TABLE_SUMMARY.format(table=connection.ops.quote_name(name)))
        rows, total = cursor.fetchone()
        summaries[name] = TableSummary(int(rows), str(int(total)))
    return summaries


# --- Writing a backup ------------------------------------------------------------------------


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


def _run(command: list[str]) -> None:
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{command[0]} failed: {message[-1] if message else result.returncode}")


@contextmanager
def _postgres_cursor(database: str | None = None, *, snapshot: bool = False) -> Iterator:
    """A cursor on its own connection (to `database`, default the app's), inside a
    transaction that is REPEATABLE READ and read only when `snapshot` is asked for."""
    db = connection.copy()
    if database:
        db.settings_dict = {**db.settings_dict, "NAME": database}
    try:
        db.ensure_connection()
        db.set_autocommit(False)
        with db.cursor() as cursor:
            if snapshot:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield cursor
        db.rollback()
    finally:
        db.close()


def _write_manifest(dump: Path, vendor: str, summaries: dict[str, TableSummary]) -> Path:
    manifest = {
        "format": MANIFEST_FORMAT,
        "vendor": vendor,
        "created": timezone.now().isoformat(),
        "dump": dump.name,
        "sha256": file_checksum(dump),
        "tables": {name: summary.as_json() for name, summary in sorted(summaries.items())},
    }
    path = manifest_path(dump)
    path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def backup(destination: Path) -> Path:
    """Write a backup of the default database to `destination`, and its manifest beside it."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    if _is_sqlite():
        connection.ensure_connection()
        target = sqlite3.connect(destination)
        try:
            connection.connection.backup(target)
            summaries = sqlite_summaries(target)
        finally:
            target.close()
        _write_manifest(destination, "sqlite", summaries)
        return destination

    with _postgres_cursor(snapshot=True) as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        # pg_dump reads the exported snapshot while this transaction holds it open.
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                "--file",
                str(destination),
                *_pg_args(),
            ]
        )
        summaries = postgres_summaries(cursor)
    _write_manifest(destination, "postgresql", summaries)
    return destination


# --- Checking a backup -----------------------------------------------------------------------


@dataclass
class CheckResult:
    tables: int
    rows: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def read_manifest(dump: Path) -> dict:
    path = manifest_path(dump)
    if not path.is_file():
        raise BackupError(f"No manifest at {path}: make backups with backup_db.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("format") != MANIFEST_FORMAT or not isinstance(manifest["tables"], dict):
            raise ValueError("unknown format")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise BackupError(f"The manifest {path} cannot be read: {error}") from error
    return manifest


def restored_summaries(dump: Path) -> dict[str, TableSummary]:
    """Restore `dump` somewhere harmless and summarise every table there."""
    if _is_sqlite():
        try:
            restored = sqlite3.connect(f"{dump.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as error:
            raise BackupError(f"the snapshot does not open: {error}") from error
        try:
            if restored.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("the snapshot fails SQLite's integrity check")
            return sqlite_summaries(restored)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"the snapshot cannot be read: {error}") from error
        finally:
            restored.close()

    scratch = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(scratch)}")
    try:
        _run(["pg_restore", "--no-owner", "--exit-on-error", *_pg_args(scratch), str(dump)])
        with _postgres_cursor(scratch, snapshot=True) as cursor:
            return postgres_summaries(cursor)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(scratch)}")


def check_restore(
    dump: Path, *, progress: Callable[[str], None] = lambda line: None
) -> CheckResult:
    """Restore `dump` and compare every table with the backup's manifest."""
    manifest = read_manifest(dump)
    vendor = "sqlite" if _is_sqlite() else "postgresql"
    if manifest.get("vendor") != vendor:
        raise BackupError(f"The backup is of {manifest.get('vendor')}; this database is {vendor}.")
    problems = []
    if file_checksum(dump) != manifest.get("sha256"):
        problems.append("the dump file has changed since the backup (its checksum differs)")
    expected = {name: TableSummary(**entry) for name, entry in manifest["tables"].items()}
    try:
        restored = restored_summaries(dump)
    except BackupError as error:
        problems.append(f"the backup does not restore: {error}")
        restored = {}
    for name in sorted(expected.keys() | restored.keys()) if restored else []:
        want, got = expected.get(name), restored.get(name)
        if got is None:
            problems.append(f"{name}: missing from the restored database")
        elif want is None:
            problems.append(f"{name}: in the restored database but not in the manifest")
        elif want.rows != got.rows:
            problems.append(f"{name}: {want.rows} rows backed up, {got.rows} restored")
        elif want.content != got.content:
            problems.append(f"{name}: {got.rows} rows as backed up, but their contents differ")
        else:
            progress(f"{name}: {got.rows} rows, contents equal")
    return CheckResult(
        tables=len(expected), rows=sum(s.rows for s in expected.values()), problems=problems
    )
