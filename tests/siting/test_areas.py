"""Which area a point is in: inside a boundary, else the nearest unbounded centre within 1 km."""

import pytest

from siting import NEAREST_CENTRE_MAX_M, area_index_for_point
from tests.siting.support import north_of

LAT, LNG = 31.19, 121.45


def _square(lng0: float, lat0: float, size: float = 0.01) -> dict:
    ring = [
        [lng0, lat0],
        [lng0 + size, lat0],
        [lng0 + size, lat0 + size],
        [lng0, lat0 + size],
        [lng0, lat0],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def _find(lat, lng, areas):
    """``areas``: (boundary or None, centre lat, centre lng) tuples."""
    return area_index_for_point(
        lat, lng, [a[0] for a in areas], [a[1] for a in areas], [a[2] for a in areas]
    )


def test_a_point_inside_a_boundary_is_in_that_area_even_nearer_another_centre():
    bounded = (_square(LNG, LAT), LAT + 0.005, LNG + 0.005)
    unbounded = (None, LAT + 0.0006, LNG + 0.0002)  # a few dozen metres from the point
    assert _find(LAT + 0.0006, LNG + 0.0001, [unbounded, bounded]) == 1


def test_outside_every_boundary_the_nearest_unbounded_centre_within_1_km():
    far = (None, north_of(LAT, 800), LNG)
    near = (None, north_of(LAT, 300), LNG)
    assert _find(LAT, LNG, [far, near]) == 1
    assert _find(LAT, LNG, [far]) == 0  # 800 m: still within 1 km


def test_beyond_1_km_from_every_unbounded_centre_the_point_has_no_area():
    assert NEAREST_CENTRE_MAX_M == 1000
    assert _find(LAT, LNG, [(None, north_of(LAT, 1001), LNG)]) is None
    assert _find(LAT, LNG, [(None, north_of(LAT, 999), LNG)]) == 0
    assert _find(LAT, LNG, []) is None


def test_an_area_with_a_boundary_does_not_take_points_outside_it_however_near_its_centre():
    # The point lies 50 m west of the square's edge and about 600 m from its centre.
    bounded = (_square(LNG, LAT), LAT + 0.005, LNG + 0.005)
    assert _find(LAT + 0.005, LNG - 0.0005, [bounded]) is None
    unbounded = (None, LAT + 0.005, LNG - 0.008)  # about 720 m west of the point
    assert _find(LAT + 0.005, LNG - 0.0005, [bounded, unbounded]) == 1


def test_a_point_on_a_shared_edge_goes_to_the_first_area_listed():
    west = (_square(LNG, LAT), LAT + 0.005, LNG + 0.005)
    east = (_square(LNG + 0.01, LAT), LAT + 0.005, LNG + 0.015)
    assert _find(LAT + 0.005, LNG + 0.01, [west, east]) == 0
    assert _find(LAT + 0.005, LNG + 0.01, [east, west]) == 0


@pytest.mark.parametrize(
    "broken",
    [
        {"type": "Polygon", "coordinates": []},
        {"type": "Polygon"},
        {"type": "Nonsense", "coordinates": [[0, 0]]},
        {"coordinates": [[[0, 0], [1, 0], [1, 1]]]},
    ],
)
def test_an_unreadable_boundary_counts_as_none_so_its_centre_stands_in(broken):
    assert _find(LAT, LNG, [(broken, north_of(LAT, 200), LNG)]) == 0
    assert _find(LAT, LNG, [(broken, north_of(LAT, 2000), LNG)]) is None


def test_a_multipolygon_boundary_holds_the_points_of_each_part():
    parts = [_square(LNG, LAT)["coordinates"], _square(LNG + 0.05, LAT)["coordinates"]]
    boundary = {"type": "MultiPolygon", "coordinates": parts}
    areas = [(None, LAT + 0.03, LNG + 0.03), (boundary, LAT + 0.005, LNG + 0.005)]
    assert _find(LAT + 0.005, LNG + 0.055, areas) == 1
    assert _find(LAT + 0.005, LNG + 0.03, areas) is None  # between the parts, > 1 km from 0
