"""The demo's street outline, area boundaries and walking network: loaded once however many
times load_demo runs, illustrative, with the named streets, and reaching every area."""

import io
import json

import pytest
from django.core.management import call_command

from sites import boundary_demo
from sites.models import Area, Street, WalkingNetwork
from sites.network import active_network
from siting.boundaries import check_boundaries

pytestmark = pytest.mark.django_db

MAIN_STREETS = {
    "中山南二路", "零陵路", "小木桥路", "东安路", "宛平南路", "斜土路", "大木桥路", "肇嘉浜路",
    "医学院路", "枫林路",
}  # fmt: skip


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", responses=0, stdout=out)
    return out.getvalue()


def test_loading_twice_keeps_one_active_illustrative_network():
    load_demo()
    load_demo()
    assert WalkingNetwork.objects.count() == 1
    network = WalkingNetwork.objects.get()
    assert network.is_active and network.illustrative
    assert network.name == boundary_demo.NETWORK_NAME
    assert 300 <= network.segment_count <= 1000


def test_the_demo_never_replaces_a_real_network(tmp_path):
    from sites.network import import_network

    real = tmp_path / "real.geojson"
    real.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": {
                            "type": "LineString",
                            "coordinates": [[121.45, 31.19], [121.46, 31.19]],
                        },
                    }
                ],
            }
        )
    )
    import_network(path=real, name="OSM", illustrative=False, activate=True)
    load_demo()
    assert WalkingNetwork.objects.active().get().name == "OSM"
    assert WalkingNetwork.objects.count() == 1


def test_the_named_streets_are_in_the_network_file():
    features = json.loads(boundary_demo.NETWORK_FILE.read_text("utf-8"))["features"]
    assert {f["properties"]["name"] for f in features} >= MAIN_STREETS


def test_every_area_centre_is_within_reach_of_the_network():
    load_demo()
    network = active_network()
    areas = list(Area.objects.all())
    snap = network.snap(
        [float(a.centroid_lat) for a in areas], [float(a.centroid_lng) for a in areas]
    )
    assert len(areas) == 25
    assert snap.connector_m.max() < 150


def test_the_demo_boundaries_tile_the_outline_without_overlaps_and_hold_their_centres():
    load_demo()
    street = Street.objects.get()
    assert street.illustrative
    areas = list(Area.objects.all())
    assert all(a.boundary for a in areas)
    report = check_boundaries({a.pk: a.boundary for a in areas}, street.boundary)
    assert report.unreadable == [] and report.overlaps == []
    assert all(finding.inside for finding in report.outline.values())
    assert report.gap_share < 0.001
    # A second load changes nothing.
    versions = {a.pk: a.version for a in areas}
    load_demo()
    assert {a.pk: a.version for a in Area.objects.all()} == versions
