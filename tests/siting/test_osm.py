"""The OpenStreetMap reader: which ways are walked on, in .osm XML and .osm.pbf alike."""

import math
import re

import osmium
import pytest

from siting.network import NetworkError, load_network, pairs_within
from siting.osm import is_walkable, read_osm_ways
from tests.siting.support import DATA, R, hav

OSM = DATA / "walkable.osm"

# Ways of walkable.osm that the rule keeps; 112 twice: its node 28 is missing from the
# extract, so it is kept as the two pieces on either side.
KEPT = [101, 102, 104, 105, 108, 111, 112, 112, 113]


def _nodes() -> dict[int, tuple[float, float]]:
    """(lng, lat) of every node, read from the XML text itself."""
    pattern = re.compile(r'<node id="(\d+)" version="1" lat="([-\d.]+)" lon="([-\d.]+)"')
    return {int(i): (float(lon), float(lat)) for i, lat, lon in pattern.findall(OSM.read_text())}


def test_the_walkable_ways_of_a_small_osm_file():
    ways = read_osm_ways(OSM)
    assert sorted(way_id for way_id, _ in ways) == KEPT
    node = _nodes()
    lines = dict(ways)
    assert lines[102] == [node[1], node[3], node[4]]  # every vertex, in order
    pieces = [line for way_id, line in ways if way_id == 112]
    assert pieces == [[node[27], node[32]], [node[29], node[30]]]


@pytest.fixture
def pbf(tmp_path):
    """The same data as .osm.pbf, written with pyosmium's SimpleWriter."""
    path = tmp_path / "walkable.osm.pbf"
    writer = osmium.SimpleWriter(str(path))
    try:
        for obj in osmium.FileProcessor(str(OSM)):
            writer.add(obj)
    finally:
        writer.close()
    return path


def test_a_pbf_file_gives_the_same_ways(pbf):
    assert b"OSMHeader" in pbf.read_bytes()[:32]  # really the binary format
    assert read_osm_ways(pbf) == read_osm_ways(OSM)


@pytest.mark.parametrize("source", ["xml", "pbf"])
def test_a_dropped_motorway_makes_the_walk_go_round(source, pbf):
    # Nodes 1 and 2 are joined by a motorway without sidewalk; the walk takes the residential
    # street north (1 -> 3), east (3 -> 4) and the footway back south (4 -> 2).
    network = load_network(OSM if source == "xml" else pbf)
    a, b, c, d = (_nodes()[i] for i in (1, 2, 3, 4))
    side = R * math.radians(0.001)  # 1 -> 3 and 4 -> 2 run along meridians, 0.001° each
    around = 2 * side + float(hav(c[1], c[0], d[1], d[0]))
    pairs = pairs_within(network, [a[1]], [a[0]], [b[1]], [b[0]], 1_000)
    assert pairs.metres.tolist() == pytest.approx([around], abs=1e-6)
    assert around > 3 * float(hav(a[1], a[0], b[1], b[0]))  # the motorway would be far shorter


@pytest.mark.parametrize(
    ("tags", "walkable"),
    [
        ({"highway": "footway"}, True),
        ({"highway": "living_street"}, True),
        ({"highway": "tertiary_link"}, True),
        ({"highway": "primary"}, True),
        ({"building": "yes"}, False),
        ({"highway": "primary", "foot": "no"}, False),
        ({"highway": "primary", "foot": "use_sidepath"}, False),
        ({"highway": "service", "access": "no"}, False),
        ({"highway": "service", "access": "no", "foot": "permissive"}, True),
        ({"highway": "motorway"}, False),
        ({"highway": "trunk_link"}, False),
        ({"highway": "trunk", "sidewalk": "no"}, False),
        ({"highway": "trunk", "sidewalk": "separate"}, False),
        ({"highway": "motorway", "sidewalk": "left"}, True),
        ({"highway": "motorway", "sidewalk:right": "yes"}, True),
        ({"highway": "trunk", "foot": "designated"}, True),
        ({"highway": "motorway", "sidewalk": "both", "foot": "no"}, False),
        ({"highway": "cycleway"}, False),
        ({"highway": "cycleway", "foot": "yes"}, True),
        ({"highway": "construction", "foot": "yes"}, False),
    ],
)
def test_the_rule(tags, walkable):
    assert is_walkable(tags) is walkable


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.osm", "<osm><node id='1'", "cannot read as OpenStreetMap"),
        ("bad.osm.pbf", "not a protocol buffer at all" * 4, "cannot read as OpenStreetMap"),
        (
            "empty.osm",
            '<?xml version="1.0"?><osm version="0.6"><node id="1" version="1" lat="31.19" '
            'lon="121.45"/></osm>',
            "no walkable ways",
        ),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(NetworkError, match=message) as info:
        load_network(path)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)


def test_a_missing_file(tmp_path):
    with pytest.raises(NetworkError, match="no such file"):
        read_osm_ways(tmp_path / "absent.osm.pbf")
    with pytest.raises(NetworkError, match="is a directory"):
        read_osm_ways(tmp_path)
