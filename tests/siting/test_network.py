"""Walking distances on small networks computed by hand.

Coordinates lie on the 1e-7 degree grid the network merges vertices on, so nothing moves when
lines are joined. Along a meridian a distance is exactly R × Δφ (``_north``); any other piece is
the haversine distance of its ends, written out separately in ``tests.siting.support.hav``.
"""

import json
import math
import re

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from siting.geometry import haversine_m
from siting.network import (
    NetworkError,
    WalkingNetwork,
    load_network,
    pairs_within,
    read_geojson_lines,
)
from tests.siting.support import R, hav

LAT, LNG = 31.19, 121.45


def _north(degrees: float) -> float:
    """Metres along a meridian for a difference of latitude in degrees."""
    return R * math.radians(degrees)


def _h(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine metres between two (lat, lng) places."""
    return float(hav(a[0], a[1], b[0], b[1]))


def _walk(network, a, b, max_m=100_000.0):
    """The walking distance from place a to place b, or None when out of reach."""
    pairs = pairs_within(network, [a[0]], [a[1]], [b[0]], [b[1]], max_m)
    return float(pairs.metres[0]) if pairs.metres.size else None


def _line(*places):
    """A line from (lat, lng) places, as the network takes it: (lng, lat) vertices."""
    return [(lng, lat) for lat, lng in places]


# --- The river and its one bridge -------------------------------------------------------------

WEST, EAST = LNG, 121.45105  # the two banks' streets, about 100 m apart
BRIDGE = 31.194  # the bridge, 0.004° (445 m) north of the places on the banks


@pytest.fixture
def river():
    return WalkingNetwork.from_lines(
        [
            _line((LAT, WEST), (BRIDGE, WEST)),  # west bank
            _line((LAT, EAST), (BRIDGE, EAST)),  # east bank
            _line((BRIDGE, WEST), (BRIDGE, EAST)),  # the bridge
        ]
    )


def test_a_river_crossed_by_one_bridge(river):
    a, b = (LAT, WEST), (LAT, EAST)
    straight = _h(a, b)
    walk = 2 * _north(BRIDGE - LAT) + _h((BRIDGE, WEST), (BRIDGE, EAST))
    assert straight == pytest.approx(100, abs=0.5)
    assert walk == pytest.approx(990, abs=1)
    assert _walk(river, a, b) == pytest.approx(walk, abs=1e-6)
    # Within 500 m in a straight line, but not on foot.
    assert _walk(river, a, b, max_m=500) is None


# --- Two places on one segment ---------------------------------------------------------------


@pytest.fixture
def block():
    """A 1 km street along a meridian, closed into a rectangle by three more streets."""
    far = 121.455
    return WalkingNetwork.from_lines(
        [
            _line((LAT, LNG), (31.199, LNG)),
            _line((31.199, LNG), (31.199, far), (LAT, far), (LAT, LNG)),
        ]
    )


def test_two_points_on_the_same_segment_walk_straight_along_it(block):
    p, s = (31.1918, 121.4503), (31.1963, 121.4498)  # east and west of the street
    expected = _north(31.1963 - 31.1918) + _h(p, (p[0], LNG)) + _h(s, (s[0], LNG))
    assert _walk(block, p, s) == pytest.approx(expected, abs=1e-6)
    # Through the segment's ends it would be 200 + 700 m at least.
    assert expected < 600


def test_a_pair_exactly_at_the_limit_is_kept(block):
    p, s = (31.1918, 121.4503), (31.1963, 121.4498)
    exact = _walk(block, p, s)
    assert _walk(block, p, s, max_m=exact) == exact
    assert _walk(block, p, s, max_m=exact - 1e-6) is None


# --- Connectors ------------------------------------------------------------------------------


def test_the_connectors_are_counted():
    corner, north_end, east_end = (LAT, LNG), (31.193, LNG), (LAT, 121.454)
    network = WalkingNetwork.from_lines([_line(corner, north_end), _line(corner, east_end)])
    p = (31.1925, 121.4496)  # about 38 m west of the north street
    s = (31.1898, 121.4530)  # 0.0002° (22 m) south of the east street, 3/4 of the way along
    snap = network.snap([p[0], s[0]], [p[1], s[1]])
    assert snap.lat.tolist() == pytest.approx([p[0], LAT], abs=1e-12)
    assert snap.lng.tolist() == pytest.approx([LNG, s[1]], abs=1e-12)
    p_connector = _h(p, (p[0], LNG))
    assert snap.connector_m.tolist() == pytest.approx([p_connector, _north(0.0002)], abs=1e-6)
    expected = p_connector + _north(p[0] - LAT) + 0.75 * _h(corner, east_end) + _north(0.0002)
    assert _walk(network, p, s) == pytest.approx(expected, abs=1e-6)


# --- Which lines join ------------------------------------------------------------------------

SOUTH, MIDDLE, NORTH = (LAT, LNG), (31.193, LNG), (31.196, LNG)
BRANCH_END = (31.193, 121.4535)


def test_lines_join_at_an_interior_vertex():
    network = WalkingNetwork.from_lines([_line(SOUTH, MIDDLE, NORTH), _line(MIDDLE, BRANCH_END)])
    expected = _h(MIDDLE, BRANCH_END) + _north(MIDDLE[0] - SOUTH[0])
    assert _walk(network, BRANCH_END, SOUTH) == pytest.approx(expected, abs=1e-6)
    assert network.node_count == 4
    assert network.edge_count == 3


def test_vertices_a_centimetre_apart_are_one():
    nearly = (MIDDLE[0] + 3e-8, MIDDLE[1] + 4e-8)  # rounds to MIDDLE on the 1e-7° grid
    network = WalkingNetwork.from_lines([_line(SOUTH, MIDDLE, NORTH), _line(nearly, BRANCH_END)])
    expected = _h(MIDDLE, BRANCH_END) + _north(MIDDLE[0] - SOUTH[0])
    assert _walk(network, BRANCH_END, SOUTH) == pytest.approx(expected, abs=1e-6)


def test_lines_that_only_cross_do_not_join():
    across = _line((31.1915, 121.4490), (31.1915, 121.4510))  # over the street, no vertex
    network = WalkingNetwork.from_lines([_line(SOUTH, MIDDLE), across])
    assert _walk(network, (31.1915, 121.4490), SOUTH) is None


def test_a_line_drawn_twice_is_one_street():
    network = WalkingNetwork.from_lines([_line(SOUTH, MIDDLE), _line(MIDDLE, SOUTH)])
    assert network.edge_count == 1
    assert network.length_m == pytest.approx(_north(0.003), abs=1e-6)


# --- Against a brute force -------------------------------------------------------------------


def _grid(seed: int) -> tuple[WalkingNetwork, np.random.Generator]:
    """A 9 × 9 grid of about 100 m blocks, a fifth of the streets missing, corners jittered."""
    rng = np.random.default_rng(seed)
    lat = LAT + 0.0009 * np.arange(9)[:, None] + rng.uniform(-2e-4, 2e-4, (9, 9))
    lng = LNG + 0.00105 * np.arange(9)[None, :] + rng.uniform(-2e-4, 2e-4, (9, 9))
    lat, lng = np.round(lat, 7), np.round(lng, 7)
    lines = []
    for i in range(9):
        for j in range(9):
            for di, dj in ((0, 1), (1, 0)):
                if i + di < 9 and j + dj < 9 and rng.random() > 0.2:
                    lines.append(
                        [(lng[i, j], lat[i, j]), (lng[i + di, j + dj], lat[i + di, j + dj])]
                    )
    return WalkingNetwork.from_lines(lines), rng


def _brute_force(network, plat, plng, slat, slng) -> np.ndarray:
    """Every point × site walking distance: all-pairs Dijkstra, then each combination of the
    two segments' ends, or the straight walk along a shared segment."""
    nodes = dijkstra(network.graph, directed=False)
    p, s = network.snap(plat, plng), network.snap(slat, slng)

    def ends(snap):
        e = snap.edge
        return [
            (network.edge_u[e], snap.offset_m),
            (network.edge_v[e], network.edge_m[e] - snap.offset_m),
        ]

    best = np.full((p.edge.size, s.edge.size), np.inf)
    for pn, pm in ends(p):
        for sn, sm in ends(s):
            best = np.minimum(best, pm[:, None] + nodes[pn][:, sn] + sm[None, :])
    same = p.edge[:, None] == s.edge[None, :]
    along = np.abs(p.offset_m[:, None] - s.offset_m[None, :])
    best = np.where(same, np.minimum(best, along), best)
    return best + p.connector_m[:, None] + s.connector_m[None, :]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("batch_entries", [1, 500, 4_000_000])
def test_pairs_within_matches_a_brute_force(seed, batch_entries):
    network, rng = _grid(seed)
    plat, plng = LAT + rng.uniform(0, 0.0072, 80), LNG + rng.uniform(0, 0.0084, 80)
    slat, slng = LAT + rng.uniform(0, 0.0072, 12), LNG + rng.uniform(0, 0.0084, 12)
    slat[0], slng[0] = network.lat[5], network.lng[5]  # a site on a street corner
    full = _brute_force(network, plat, plng, slat, slng)
    max_m = 450.0
    pairs = pairs_within(network, plat, plng, slat, slng, max_m, batch_entries=batch_entries)
    point, site = np.nonzero(full <= max_m)  # row-major: by point, then site
    assert point.size > 50  # the case means something
    assert pairs.point.tolist() == point.tolist()
    assert pairs.site.tolist() == site.tolist()
    np.testing.assert_allclose(pairs.metres, full[point, site], rtol=0, atol=1e-6)


# --- Input ----------------------------------------------------------------------------------


def test_no_points_or_no_sites_give_no_pairs(block):
    assert pairs_within(block, [], [], [LAT], [LNG], 1000).point.size == 0
    assert pairs_within(block, [LAT], [LNG], [], [], 1000).point.size == 0


@pytest.mark.parametrize("max_m", [-1, math.nan, math.inf, "far"])
def test_the_distance_must_be_finite_and_not_negative(block, max_m):
    with pytest.raises(ValueError, match="distance"):
        pairs_within(block, [LAT], [LNG], [LAT], [LNG], max_m)


def test_points_out_of_range_are_refused(block):
    with pytest.raises(ValueError, match="point 1: latitude"):
        pairs_within(block, [LAT, 95], [LNG, LNG], [LAT], [LNG], 1000)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "no lines"),
        ([[(LNG, LAT)]], "line 0: a line needs at least two vertices"),
        ([[(LNG, LAT), (LNG, 95.0)]], "line 0: latitude 95.0"),
        ([[(LNG, LAT), (LNG, LAT + 0.001)], [(LNG, LAT), (181.0, LAT)]], "line 1: longitude"),
        ([[(LNG, LAT), (math.nan, LAT)]], "longitude nan"),
        ([[(LNG, LAT), (LNG, LAT)]], "no segment of positive length"),
        ([[LNG, LAT]], "(longitude, latitude) pair"),
    ],
)
def test_bad_lines_are_refused(lines, message):
    with pytest.raises(NetworkError, match=re.escape(message)):
        WalkingNetwork.from_lines(lines)


def _geojson(tmp_path, data, name="network.geojson"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def _feature(geometry):
    return {"type": "Feature", "properties": {}, "geometry": geometry}


def test_a_geojson_file_with_lines_and_multilines(tmp_path):
    data = {
        "type": "FeatureCollection",
        "features": [
            _feature({"type": "LineString", "coordinates": [[LNG, LAT], [LNG, 31.193, 4.5]]}),
            _feature({"type": "MultiLineString", "coordinates": [_line(MIDDLE, BRANCH_END)]}),
            _feature({"type": "Point", "coordinates": [LNG, LAT]}),  # skipped
            _feature(None),  # skipped
        ],
    }
    path = _geojson(tmp_path, data)
    assert [line.tolist() for line in read_geojson_lines(path)] == [
        [[LNG, LAT], [LNG, 31.193]],  # the height is dropped
        [list(vertex) for vertex in _line(MIDDLE, BRANCH_END)],
    ]
    network = load_network(path)
    expected = _h(MIDDLE, BRANCH_END) + _north(0.003)
    assert _walk(network, BRANCH_END, SOUTH) == pytest.approx(expected, abs=1e-6)


def _collection(*geometries):
    return {"type": "FeatureCollection", "features": [_feature(g) for g in geometries]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('{"type": "FeatureCollection", "features": [', "invalid JSON"),
        ('{"type": "FeatureCollection", "features": [NaN]}', "NaN is not a JSON number"),
        ({"type": "Feature", "geometry": None}, "expected a GeoJSON FeatureCollection"),
        ({"type": "FeatureCollection"}, "no list of features"),
        (_collection({"type": "Point", "coordinates": [LNG, LAT]}), "no LineString"),
        (
            _collection({"type": "LineString", "coordinates": [[LNG, LAT]]}),
            "features[0].geometry.coordinates: a line needs a list of at least two positions",
        ),
        (
            _collection({"type": "LineString", "coordinates": [[LNG, LAT], [LNG, "31.2"]]}),
            "features[0].geometry.coordinates[1]: '31.2' is not a finite number",
        ),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": '
            '{"type": "LineString", "coordinates": [[121, 31], [121, 1e400]]}}]}',
            "is not a finite number",
        ),
        (
            _collection({"type": "LineString", "coordinates": [[LNG, LAT], [True, LAT]]}),
            "features[0].geometry.coordinates[1]: True is not a finite number",
        ),
        (
            _collection({"type": "LineString", "coordinates": [[LNG, LAT], [10**400, LAT]]}),
            "features[0].geometry.coordinates[1]: 1000000",
        ),
        (
            _collection({"type": "LineString", "coordinates": [[LNG, LAT], [LAT, 200]]}),
            "is not [longitude, latitude] in range",
        ),
        (
            _collection({"type": "MultiLineString", "coordinates": [[[LNG, LAT]]]}),
            "features[0].geometry.coordinates[0]: a line needs",
        ),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_bad_geojson_is_a_one_line_error(tmp_path, data, message):
    path = _geojson(tmp_path, data)
    with pytest.raises(NetworkError, match=re.escape(message)) as info:
        load_network(path)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith(str(path))


def test_unknown_or_missing_network_files(tmp_path):
    with pytest.raises(NetworkError, match="no such file"):
        load_network(tmp_path / "absent.geojson")
    with pytest.raises(NetworkError, match="a network is a GeoJSON file"):
        load_network(_geojson(tmp_path, "x", name="network.txt"))
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"type": "FeatureCollection", "name": "Fünf"}'.encode("latin-1"))
    with pytest.raises(NetworkError, match="not UTF-8"):
        load_network(latin)


def test_distances_use_the_one_haversine():
    # Edge lengths are siting.geometry.haversine_m of the merged vertices, nothing else.
    network = WalkingNetwork.from_lines([_line(SOUTH, BRANCH_END)])
    assert network.edge_m.tolist() == haversine_m(LAT, LNG, *BRANCH_END).ravel().tolist()
