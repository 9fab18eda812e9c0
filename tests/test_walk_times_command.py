"""``manage.py walk_times NETWORK POINTS SITES``: its output, and exit status 2 for bad files."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.siting.support import DATA, R, hav

MANAGE = Path(__file__).resolve().parent.parent / "manage.py"
LAT, LNG = 31.19, 121.45
WEST, EAST, BRIDGE = LNG, 121.45105, 31.194  # two banks of a river and its one bridge


def _north(degrees: float) -> float:
    return R * math.radians(degrees)


def _line(*places):
    return {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "LineString", "coordinates": [[lng, lat] for lat, lng in places]},
    }


@pytest.fixture
def files(tmp_path):
    """The river network, two points on the west bank and two sites on the east bank."""
    network = tmp_path / "river.geojson"
    network.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    _line((LAT, WEST), (BRIDGE, WEST)),
                    _line((LAT, EAST), (BRIDGE, EAST)),
                    _line((BRIDGE, WEST), (BRIDGE, EAST)),
                ],
            }
        )
    )
    points = tmp_path / "points.csv"
    # p2 stands 0.0001° (11 m) west of the street: its connector counts.
    points.write_text(f"id,lat,lng\np1,{LAT},{WEST}\np2,{BRIDGE - 0.001},{WEST - 0.0001}\n")
    sites = tmp_path / "sites.csv"
    sites.write_text(f"ID,Lat,Lng\n枫林站,{LAT},{EAST}\ns2,{BRIDGE},{EAST}\n")
    return network, points, sites


def _expected(speed=70.0, max_minutes=15.0):
    """The hand-computed rows: every pair crosses the bridge."""
    bridge = float(hav(BRIDGE, WEST, BRIDGE, EAST))
    p2_connector = float(hav(BRIDGE - 0.001, WEST - 0.0001, BRIDGE - 0.001, WEST))
    walks = {
        ("p1", "枫林站"): 2 * _north(0.004) + bridge,
        ("p1", "s2"): _north(0.004) + bridge,
        ("p2", "枫林站"): p2_connector + _north(0.001) + bridge + _north(0.004),
        ("p2", "s2"): p2_connector + _north(0.001) + bridge,
    }
    rows = ["point_id,site_id,metres,minutes"]
    for (p, s), metres in walks.items():
        if metres <= max_minutes * speed:
            rows.append(f"{p},{s},{metres:.1f},{metres / speed:.1f}")
    return rows


def _run(capsys, *args):
    call_command("walk_times", *map(str, args))
    return capsys.readouterr().out.splitlines()


def test_prints_every_pair_within_15_minutes_at_70_metres_a_minute(capsys, files):
    assert _run(capsys, *files) == _expected()


def test_the_minutes_and_the_speed_decide_which_pairs(capsys, files):
    rows = _run(capsys, *files, "--max-minutes", "10", "--speed", "50")
    assert rows == _expected(speed=50, max_minutes=10)
    assert 1 < len(rows) < 5  # some pairs in reach, some not


def test_an_osm_network(capsys, tmp_path):
    # The walkable.osm extract: from node 1 to node 2 around the dropped motorway.
    points, sites = tmp_path / "p.csv", tmp_path / "s.csv"
    points.write_text("id,lat,lng\na,31.19,121.45\n")
    sites.write_text("id,lat,lng\nb,31.19,121.451\n")
    around = 2 * _north(0.001) + float(hav(31.191, 121.45, 31.191, 121.451))
    rows = _run(capsys, DATA / "walkable.osm", points, sites)
    assert rows == ["point_id,site_id,metres,minutes", f"a,b,{around:.1f},{around / 70:.1f}"]


# --- Bad files -------------------------------------------------------------------------------


def _fail(*args) -> str:
    with pytest.raises(CommandError) as info:
        call_command("walk_times", *map(str, args))
    assert info.value.returncode == 2
    message = str(info.value)
    assert "\n" not in message and len(message) < 300
    return message


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("absent.geojson", None, "no such file"),
        ("broken.geojson", '{"type": "FeatureCollection", "features": [', "invalid JSON"),
        ("points.geojson", '{"type": "FeatureCollection", "features": []}', "no LineString"),
        ("broken.osm", "<osm><way", "cannot read as OpenStreetMap"),
        ("broken.osm.pbf", "\x00\x00\x00\x0ejunk", "cannot read as OpenStreetMap"),
        ("network.shp", "", "a network is a GeoJSON file"),
    ],
)
def test_a_bad_network_file(files, tmp_path, name, content, message):
    _, points, sites = files
    network = tmp_path / name
    if content is not None:
        network.write_text(content)
    assert message in _fail(network, points, sites)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "POINTS file {path}: no such file"),
        ("", "The file is empty"),
        ("id,latitude,longitude\na,31.19,121.45\n", "missing lat, lng"),
        ("id,lat,lng\na,north,121.45\n", "row 2: lat 'north' is not a number"),
        ("id,lat,lng\na,31.19,nan\n", "row 2: lng 'nan' is not a number"),
        ("id,lat,lng\na,31.19,121.45\nb,95,121.45\n", "row 3: lat 95 is outside [-90, 90]"),
        ("id,lat,lng\na,31.19,121.45\na,31.2,121.45\n", "row 3: id 'a' is also in row 2"),
        ("id,lat,lng\n,31.19,121.45\n", "row 2: the id is empty"),
        ("id,lat,lng\na,1e400,121.45\n", "row 2: lat 1e400 is outside [-90, 90]"),
    ],
)
def test_a_bad_points_file(files, tmp_path, content, message):
    network, _, sites = files
    points = tmp_path / "bad.csv"
    if content is not None:
        points.write_text(content)
    assert message.format(path=points) in _fail(network, points, sites)


def test_a_bad_sites_file_is_named(files, tmp_path):
    network, points, _ = files
    sites = tmp_path / "sites.csv"
    sites.write_text("name,lat,lng\nx,31.19,121.45\n")
    assert f"SITES file {sites}: the columns must be id, lat, lng; missing id" in _fail(
        network, points, sites
    )


def test_a_directory_is_not_a_file(files, tmp_path):
    network, points, _ = files
    assert "is a directory" in _fail(network, points, tmp_path)


@pytest.mark.parametrize("option", ["--max-minutes", "--speed"])
@pytest.mark.parametrize("value", ["0", "-3", "inf", "nan", "soon"])
def test_minutes_and_speed_must_be_positive_numbers(files, option, value):
    assert option in _fail(*files, option, value)


# --- As a user runs it -----------------------------------------------------------------------


def _on_the_command_line(*args) -> subprocess.CompletedProcess:
    """`manage.py walk_times ARGS` in a fresh process with an almost empty environment: no
    SECRET_KEY, no DEBUG, nothing of the test run."""
    return subprocess.run(
        [sys.executable, str(MANAGE), "walk_times", *map(str, args)],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        cwd=MANAGE.parent,
        timeout=120,
    )


def test_runs_without_secret_key_or_debug(files):
    run = _on_the_command_line(*files)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == _expected()


def test_a_bad_file_is_one_line_on_stderr_and_status_2(files, tmp_path):
    network, points, _ = files
    sites = tmp_path / "sites.csv"
    sites.write_text("id,lat,lng\ns,31.19,east\n")
    run = _on_the_command_line(network, points, sites)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.strip().count("\n") == 0
    assert "row 2: lng 'east' is not a number" in run.stderr
