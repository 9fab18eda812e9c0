import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.siting.support import DATA

INSTANCE = DATA / "n500_m50_p5_r1000_s1.json"
EXPECTED = json.loads((DATA / "expected.json").read_text())["instances"][INSTANCE.name]
MANAGE = Path(__file__).resolve().parents[2] / "manage.py"


def solve_on_the_command_line(*args: str, env: dict | None = None):
    """`manage.py solve_siting ARGS` in a process of its own, as a user runs it."""
    if env is None:
        env = {**os.environ, "SECRET_KEY": "test-only"}
    return subprocess.run(
        [sys.executable, str(MANAGE), "solve_siting", *args],
        capture_output=True,
        text=True,
        env={**env, "DJANGO_SETTINGS_MODULE": "fenglin.settings"},
        cwd=MANAGE.parent,
        timeout=120,
    )


@pytest.mark.parametrize("model", ["mclp", "pmedian"])
def test_prints_one_json_object(capsys, model):
    call_command("solve_siting", str(INSTANCE), "--model", model, "--time-limit", "60")
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    result = json.loads(out)
    assert result["model"] == model
    # "auto" proves these by the heuristic's bound or by HiGHS, whichever closes the gap.
    assert result["method"] in ("exact", "heuristic")
    assert result["objective"] == pytest.approx(EXPECTED[model], rel=1e-6)
    assert len(result["chosen"]) == EXPECTED["p"]
    assert result["gap"] == 0


def test_default_model_is_mclp_and_lscp_counts_sites(capsys):
    call_command("solve_siting", str(INSTANCE))
    assert json.loads(capsys.readouterr().out)["objective"] == EXPECTED["mclp"]
    call_command("solve_siting", str(INSTANCE), "--model", "lscp", "--method", "heuristic")
    result = json.loads(capsys.readouterr().out)
    assert result["method"] == "heuristic"
    assert result["objective"] == len(result["chosen"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"demand": [', "invalid JSON"),
        ('{"demand": [{"id": "d", "lat": 31.2, "lng": 121.4}], "candidates": []}', "weight"),
    ],
)
def test_malformed_file_is_a_command_error_with_status_2(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=message) as info:
        call_command("solve_siting", str(path))
    assert info.value.returncode == 2


def test_missing_file_is_a_command_error_with_status_2(tmp_path):
    with pytest.raises(CommandError, match="no such file") as info:
        call_command("solve_siting", str(tmp_path / "absent.json"))
    assert info.value.returncode == 2


def test_exit_status_and_stderr_from_the_command_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"demand": [], "candidates": [{"id": "c", "lat": 95, "lng": 121}]}')
    proc = solve_on_the_command_line(str(path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0
    assert "candidates[0]: lat 95.0 is out of range" in proc.stderr


def _instance_text(**raw: str) -> str:
    """A valid instance as text, with the literal JSON of some of its values replaced."""
    values = {"weight": "5", "lat": "31.2", "radius_m": "200", "p": "1", "id": '"d0"', **raw}
    text = (
        '{"demand": [{"id": <id>, "lat": <lat>, "lng": 121.45, "weight": <weight>}],'
        ' "candidates": [{"id": "c0", "lat": 31.2, "lng": 121.45}],'
        ' "radius_m": <radius_m>, "p": <p>}'
    )
    for key, value in values.items():
        text = text.replace(f"<{key}>", value)
    return text


MALFORMED = {
    "a weight of 10^400": (_instance_text(weight="1" + "0" * 400), "weight is out of range"),
    "a latitude of 10^400": (_instance_text(lat="1" + "0" * 400), "lat is out of range"),
    "a radius of 10^400": (_instance_text(radius_m="1" + "0" * 400), "radius_m is out of range"),
    "a 5,000-digit integer": (_instance_text(id="9" * 5000), "id must be a string or an integer"),
    "arrays nested 100,000 deep": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "a weight of 1e400": (_instance_text(weight="1e400"), "weight must be a number"),
    "a p of 10^400": (_instance_text(p="1" + "0" * 400), "p is out of range"),
    "weights beyond 10^15": (_instance_text(weight="1" + "0" * 16), "weights add up to"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_file_gets_a_one_line_error(tmp_path, case):
    text, message = MALFORMED[case]
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(CommandError, match=message) as info:
        call_command("solve_siting", str(path))
    assert info.value.returncode == 2
    assert "\n" not in str(info.value) and len(str(info.value)) < 200


@pytest.mark.parametrize("limit", ["inf", "nan", "-1", "0", "soon"])
def test_a_time_limit_must_be_a_positive_finite_number(limit):
    with pytest.raises(CommandError, match="time limit") as info:
        call_command("solve_siting", str(INSTANCE), "--time-limit", limit)
    assert info.value.returncode == 2


def test_a_bad_time_limit_is_one_line_on_the_command_line():
    proc = solve_on_the_command_line(str(INSTANCE), "--time-limit", "inf")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0
    assert "time limit" in proc.stderr


def test_runs_without_secret_key_or_debug():
    # The command is used from outside the web app (scripts, notebooks): it needs no secrets.
    dropped = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    run = solve_on_the_command_line(str(INSTANCE), "--time-limit", "60", env=env)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["objective"] == EXPECTED["mclp"]
