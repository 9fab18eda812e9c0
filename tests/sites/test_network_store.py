"""The walking network stored for every process: importing versions with a preview, one active
version, the per-process graph, and walking distances that say which model measured them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from sites.models import WalkingNetwork
from sites.network import (
    STRAIGHT_LINE,
    activate_network,
    active_network,
    import_network,
    walking_model,
    walking_pairs,
)
from siting.constants import DETOUR_FACTOR
from siting.network import load_network
from siting.network_changes import network_from_stored
from tests.builders import make_user
from tests.siting.support import hav

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"

# A river runs east-west between two streets 0.0009° (100 m) apart, crossed by one bridge at
# the east end, about 476 m from the west end where a resident and a site face each other.
SOUTH, NORTH = 31.1900, 31.1909
WEST, EAST = 121.4500, 121.4550
SOUTH_STREET = [(SOUTH, WEST), (SOUTH, EAST)]
NORTH_STREET = [(NORTH, WEST), (NORTH, EAST)]
EAST_BRIDGE = [(SOUTH, EAST), (NORTH, EAST)]
WEST_BRIDGE = [(SOUTH, WEST), (NORTH, WEST)]
RESIDENT, SITE = (SOUTH, WEST), (NORTH, WEST)


def _metres(line) -> float:
    (lat1, lng1), (lat2, lng2) = line
    return float(hav(lat1, lng1, lat2, lng2))


ACROSS = _metres([RESIDENT, SITE])  # the straight line over the water: 100 m
ROUND_BY_THE_BRIDGE = _metres(SOUTH_STREET) + _metres(EAST_BRIDGE) + _metres(NORTH_STREET)


def _write(folder: Path, name: str, *lines) -> Path:
    path = folder / name
    features = [
        {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "LineString", "coordinates": [[lng, lat] for lat, lng in line]},
        }
        for line in lines
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.fixture
def river(tmp_path) -> Path:
    return _write(tmp_path, "river.geojson", SOUTH_STREET, NORTH_STREET, EAST_BRIDGE)


@pytest.fixture
def two_bridges(tmp_path) -> Path:
    return _write(
        tmp_path, "two-bridges.geojson", SOUTH_STREET, NORTH_STREET, EAST_BRIDGE, WEST_BRIDGE
    )


def _import(path: Path, name: str = "river", *, activate: bool = True, illustrative=False):
    return import_network(path=path, name=name, illustrative=illustrative, activate=activate)


def test_the_hand_computed_figures_hold():
    # The brief's river: 100 m across, about a kilometre round by the bridge.
    assert abs(ACROSS - 100) < 0.2
    assert abs(ROUND_BY_THE_BRIDGE - 1052) < 2


# --- Importing: a preview, then a stored version --------------------------------------------


def test_a_preview_reads_the_file_and_saves_nothing(db, river):
    result = _import(river, activate=False)
    assert result.stored is None
    assert not WalkingNetwork.objects.exists()
    assert result.previous == STRAIGHT_LINE
    assert result.change.old_segments == 0
    assert result.change.new_segments == 3
    assert result.change.new_length_m == pytest.approx(ROUND_BY_THE_BRIDGE, rel=1e-9)
    assert result.change.kept_share is None


def test_an_activated_import_stores_the_network_it_read(db, river):
    planner = make_user("netplanner")
    result = import_network(
        path=river, name="River", illustrative=True, activate=True, user=planner
    )
    stored = WalkingNetwork.objects.get()
    assert result.stored == stored
    assert (stored.name, stored.source_name, stored.imported_by) == (
        "River",
        "river.geojson",
        planner,
    )
    assert stored.is_active and stored.illustrative
    assert stored.segment_count == 3
    assert stored.length_m == pytest.approx(ROUND_BY_THE_BRIDGE, rel=1e-9)
    # The stored lines build the very graph the file does.
    rebuilt, read = network_from_stored(stored.lines), load_network(river)
    for field in ("lat", "lng", "edge_u", "edge_v", "edge_m"):
        assert np.array_equal(getattr(rebuilt, field), getattr(read, field)), field


def test_the_preview_compares_with_the_active_version(db, river, tmp_path):
    _import(river)
    # The north street is gone and a west bridge is new: the south street and the east bridge
    # are what remains of the old network.
    changed = _write(tmp_path, "changed.geojson", SOUTH_STREET, EAST_BRIDGE, WEST_BRIDGE)
    result = _import(changed, "changed", activate=False)
    change = result.change
    assert (change.old_segments, change.new_segments) == (3, 3)
    assert change.old_length_m == pytest.approx(ROUND_BY_THE_BRIDGE, rel=1e-9)
    kept = _metres(SOUTH_STREET) + _metres(EAST_BRIDGE)
    assert change.kept_length_m == pytest.approx(kept, rel=1e-9)
    assert change.kept_share == pytest.approx(kept / ROUND_BY_THE_BRIDGE, rel=1e-9)
    assert not result.identical
    assert WalkingNetwork.objects.count() == 1


def test_the_same_network_again_keeps_all_of_it(db, river, tmp_path):
    _import(river)
    # The same streets drawn the other way round and with a few digits of noise.
    again = _write(
        tmp_path,
        "again.geojson",
        [(SOUTH + 1e-9, EAST), (SOUTH, WEST)],
        NORTH_STREET,
        EAST_BRIDGE[::-1],
    )
    result = _import(again, activate=False)
    assert result.identical
    assert result.change.kept_share == pytest.approx(1.0)


# --- One active version ----------------------------------------------------------------------


def test_activating_a_new_version_deactivates_the_previous_one(db, river, two_bridges):
    first = _import(river).stored
    second = _import(two_bridges, "two bridges").stored
    assert list(WalkingNetwork.objects.active()) == [second]
    # Going back to an earlier version is one activation too.
    activate_network(network=first)
    assert list(WalkingNetwork.objects.active()) == [first]
    second.refresh_from_db()
    assert not second.is_active


def test_the_database_refuses_two_active_versions(db, river):
    _import(river)
    stored = WalkingNetwork.objects.create(name="second", lines=[])
    with pytest.raises(IntegrityError), transaction.atomic():
        WalkingNetwork.objects.filter(pk=stored.pk).update(is_active=True)


# --- Walking distances and the model that measured them --------------------------------------


def test_without_a_network_a_walk_is_the_straight_line_times_the_detour(db):
    found = walking_pairs([RESIDENT], [SITE], 300)
    assert found.model == STRAIGHT_LINE
    assert not found.model.on_network
    assert found.pairs.metres.tolist() == pytest.approx([ACROSS * DETOUR_FACTOR], rel=1e-9)
    with translation.override("en"):
        assert found.model.label == "straight line × 1.3"
    # Just beyond the straight-line walk, nothing.
    assert walking_pairs([RESIDENT], [SITE], ACROSS * DETOUR_FACTOR * 0.999).pairs.point.size == 0


def test_on_the_network_the_walk_goes_round_by_the_bridge(db, river):
    stored = _import(river, "River").stored
    found = walking_pairs([RESIDENT], [SITE], 1200)
    assert found.model.network_id == stored.pk
    assert found.pairs.metres.tolist() == pytest.approx([ROUND_BY_THE_BRIDGE], rel=1e-9)
    with translation.override("en"):
        assert found.model.label == f"network River v{stored.pk}"
    # 300 m: the straight line × 1.3 would reach the site, the street network does not.
    assert walking_pairs([RESIDENT], [SITE], 300).pairs.point.size == 0


def test_the_pairs_are_every_point_and_site_within_reach(db, river):
    _import(river)
    # The resident, one across the water, and one 0.0001° (about 11 m) south of the street's
    # middle, whose connector to the street counts.
    middle = (WEST + EAST) / 2
    points = [RESIDENT, SITE, (SOUTH - 0.0001, middle)]
    found = walking_pairs(points, [SITE, (SOUTH, EAST)], 700)
    pairs = list(zip(found.pairs.point.tolist(), found.pairs.site.tolist(), strict=True))
    connector = float(hav(SOUTH - 0.0001, middle, SOUTH, middle))
    expected = {
        (0, 1): _metres(SOUTH_STREET),
        (1, 0): 0.0,
        (1, 1): _metres(NORTH_STREET) + _metres(EAST_BRIDGE),
        (2, 1): connector + float(hav(SOUTH, middle, SOUTH, EAST)),
    }
    assert pairs == sorted(expected)
    assert found.pairs.metres.tolist() == pytest.approx(
        [expected[pair] for pair in pairs], rel=1e-6, abs=1e-6
    )


def test_an_illustrative_network_says_so(db, river):
    stored = _import(river, "Demo", illustrative=True).stored
    with translation.override("en"):
        assert walking_model().label == f"network Demo v{stored.pk} (illustrative)"


# --- The graph each process keeps ------------------------------------------------------------


def test_the_graph_is_built_once_and_rebuilt_after_a_new_version(
    db, river, two_bridges, django_assert_num_queries
):
    assert active_network() is None
    _import(river)
    first = active_network()
    assert first.edge_count == 3
    with django_assert_num_queries(1):  # which version is active; the lines are not read again
        assert active_network() is first
    second_version = _import(two_bridges).stored
    with django_assert_num_queries(2):  # the new version is seen and its lines read once
        second = active_network()
    assert second is not first
    assert second.edge_count == 4
    assert active_network() is second
    found = walking_pairs([RESIDENT], [SITE], 1200)
    assert found.model.network_id == second_version.pk
    assert found.pairs.metres.tolist() == pytest.approx([ACROSS], rel=1e-9)


def test_a_version_activated_elsewhere_is_seen_here(db, river, two_bridges):
    first = _import(river).stored
    _import(two_bridges)
    assert active_network().edge_count == 4
    # Another process goes back to the first version, writing only to the database.
    WalkingNetwork.objects.update(is_active=False)
    WalkingNetwork.objects.filter(pk=first.pk).update(is_active=True)
    assert active_network().edge_count == 3
    WalkingNetwork.objects.update(is_active=False)
    assert active_network() is None
    assert walking_pairs([RESIDENT], [SITE], 300).model == STRAIGHT_LINE


# --- The command -----------------------------------------------------------------------------


def test_the_command_previews_without_saving(db, river, capsys):
    call_command("import_network", str(river))
    out = capsys.readouterr().out
    assert "river.geojson" in out
    assert "Preview only: nothing saved" in out
    assert "1.05" in out  # the new network's kilometres
    assert not WalkingNetwork.objects.exists()


def test_the_command_activates_and_reports_the_change(db, river, two_bridges, capsys):
    call_command("import_network", str(river), "--activate", "--illustrative")
    first = WalkingNetwork.objects.get()
    assert first.name == "river" and first.illustrative and first.is_active
    capsys.readouterr()
    call_command("import_network", str(two_bridges), "--name", "Bridges", "--activate")
    out = capsys.readouterr().out
    second = WalkingNetwork.objects.active().get()
    assert second.name == "Bridges" and not second.illustrative
    assert f"river v{first.pk}" in out
    assert "Still present: 100.0% of the active network's length" in out
    assert f"Stored as Bridges v{second.pk} and activated" in out


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("streets.geojson", "{not json", "invalid JSON"),
        ("streets.geojson", '{"type": "FeatureCollection", "features": []}', "no LineString"),
        ("streets.csv", "a,b\n", "a network is a GeoJSON file"),
    ],
)
def test_a_bad_file_is_refused_with_status_2(db, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(CommandError, match=message) as info:
        call_command("import_network", str(path), "--activate")
    assert info.value.returncode == 2
    assert not WalkingNetwork.objects.exists()


def test_a_name_too_long_is_refused_with_status_2(db, river):
    with pytest.raises(CommandError, match="longer than 100") as info:
        call_command("import_network", str(river), "--name", "x" * 101, "--activate")
    assert info.value.returncode == 2


def test_a_bad_file_is_one_line_on_stderr(tmp_path):
    path = tmp_path / "streets.geojson"
    path.write_text("[1, 2]")
    run = subprocess.run(
        [sys.executable, str(MANAGE), "import_network", str(path)],
        capture_output=True,
        text=True,
        # The file is refused before the database is asked anything.
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DEBUG": "1"},
        cwd=MANAGE.parent,
        timeout=120,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.strip().count("\n") == 0
    assert "expected a GeoJSON FeatureCollection" in run.stderr


# --- The admin -------------------------------------------------------------------------------


def test_the_admin_lists_versions_read_only(admin_client, river):
    stored = _import(river, "River").stored
    listing = admin_client.get(reverse("admin:sites_walkingnetwork_changelist"))
    assert listing.status_code == 200
    assert "River" in listing.content.decode()
    assert "1.05 km" in listing.content.decode()
    detail = admin_client.get(reverse("admin:sites_walkingnetwork_change", args=[stored.pk]))
    assert detail.status_code == 200
    assert str(WEST) not in detail.content.decode()  # the lines stay out of the page
    assert admin_client.get(reverse("admin:sites_walkingnetwork_add")).status_code == 403
    delete = reverse("admin:sites_walkingnetwork_delete", args=[stored.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert WalkingNetwork.objects.filter(pk=stored.pk, is_active=True).exists()
