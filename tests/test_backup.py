import pytest
from django.core.management import CommandError, call_command

from tests import factories


@pytest.mark.django_db(transaction=True)
def test_backup_restores_to_the_same_rows(tmp_path, capsys):
    factories.site(name="Backed-up site")
    target = tmp_path / "backup.bin"
    call_command("backup_db", str(target))
    assert target.stat().st_size > 0
    call_command("check_restore", str(target))
    assert "all equal" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_check_restore_notices_rows_written_after_the_backup(tmp_path):
    target = tmp_path / "backup.bin"
    call_command("backup_db", str(target))
    factories.site(name="Written later")
    with pytest.raises(CommandError, match="differ"):
        call_command("check_restore", str(target))


@pytest.mark.django_db
def test_check_restore_of_a_missing_file_says_so(tmp_path):
    with pytest.raises(CommandError, match="No backup file"):
        call_command("check_restore", str(tmp_path / "nope"))
