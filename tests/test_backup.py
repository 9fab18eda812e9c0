"""backup_db writes a dump and a manifest of its contents; check_restore restores the dump and
compares it with the manifest (not with the live database, which moves on after the backup).

The suite runs these on SQLite by default and on PostgreSQL when DATABASE_URL says so.
"""

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from fenglin import backup
from sites.models import Site
from tests.builders import make_site

pytestmark = pytest.mark.django_db(transaction=True)


def _backup(path: Path) -> Path:
    call_command("backup_db", str(path))
    return path


def _manifest(path) -> dict:
    return json.loads(backup.manifest_path(path).read_text(encoding="utf-8"))


def test_backup_writes_a_manifest_of_every_table_in_the_dump(tmp_path):
    make_site(name="Backed-up site")
    target = _backup(tmp_path / "backup.bin")
    assert target.stat().st_size > 0
    manifest = _manifest(target)
    assert manifest["sha256"] == backup.file_checksum(target)
    assert manifest["vendor"] == connection.vendor
    assert manifest["tables"]["sites_site"]["rows"] == Site.objects.count() == 1
    assert set(manifest["tables"]) >= {"sites_area", "surveys_response", "django_migrations"}


def test_a_good_backup_passes(tmp_path, capsys):
    make_site(name="Backed-up site")
    target = _backup(tmp_path / "backup.bin")
    call_command("check_restore", str(target))
    assert "all as backed up" in capsys.readouterr().out


def test_a_good_backup_still_passes_after_the_live_database_moved_on(tmp_path, capsys):
    site = make_site(name="Backed-up site")
    target = _backup(tmp_path / "backup.bin")
    make_site(name="Written later")
    Site.objects.filter(pk=site.pk).update(name="Renamed later")
    call_command("check_restore", str(target))
    assert "all as backed up" in capsys.readouterr().out


def test_a_corrupt_dump_fails(tmp_path, capsys):
    make_site(name="Backed-up site")
    target = _backup(tmp_path / "backup.bin")
    data = bytearray(target.read_bytes())
    middle = len(data) // 2
    # A stretch of the file with every bit flipped (zeros would change nothing where the
    # database file has an empty page).
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    target.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="not good"):
        call_command("check_restore", str(target))
    assert "checksum differs" in capsys.readouterr().err


def _swap_dump(tmp_path: Path, change) -> Path:
    """A valid dump of other contents put where the backup was, its checksum recorded as if
    it were the original: only the comparison of contents can tell."""
    original = _backup(tmp_path / "backup.bin")
    change()
    other = _backup(tmp_path / "other.bin")
    shutil.copyfile(other, original)
    manifest = _manifest(original)
    manifest["sha256"] = backup.file_checksum(original)
    backup.manifest_path(original).write_text(json.dumps(manifest), encoding="utf-8")
    return original


def test_a_dump_holding_more_rows_than_backed_up_fails(tmp_path, capsys):
    make_site(name="Backed-up site")
    target = _swap_dump(tmp_path, lambda: make_site(name="Not in the backup"))
    with pytest.raises(CommandError, match="not good"):
        call_command("check_restore", str(target))
    assert "sites_site: 1 rows backed up, 2 restored" in capsys.readouterr().err


def test_a_dump_with_the_same_number_of_rows_but_other_contents_fails(tmp_path, capsys):
    site = make_site(name="Backed-up site")
    target = _swap_dump(tmp_path, lambda: Site.objects.filter(pk=site.pk).update(name="Other name"))
    with pytest.raises(CommandError, match="not good"):
        call_command("check_restore", str(target))
    assert "sites_site: 1 rows as backed up, but their contents differ" in capsys.readouterr().err


def test_a_dump_that_is_not_a_database_fails(tmp_path):
    target = _backup(tmp_path / "backup.bin")
    target.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CommandError, match="not good"):
        call_command("check_restore", str(target))


def test_a_backup_without_its_manifest_is_refused(tmp_path):
    target = _backup(tmp_path / "backup.bin")
    backup.manifest_path(target).unlink()
    with pytest.raises(CommandError, match="No manifest"):
        call_command("check_restore", str(target))


def test_check_restore_of_a_missing_file_says_so(tmp_path):
    with pytest.raises(CommandError, match="No backup file"):
        call_command("check_restore", str(tmp_path / "nope"))
