"""Boundary checks: inside the street's outline within a tolerance, overlaps beyond a
tolerance, and the share of the outline no boundary covers."""

import math

import pytest

from siting.boundaries import (
    check_boundaries,
    check_outline,
    find_overlaps,
    gap_share,
    largest_part,
    read_polygon,
    voronoi_cells,
)
from siting.geometry import EARTH_RADIUS_M

LAT0, LNG0 = 31.19, 121.45
M_PER_DEG_LAT = math.radians(1) * EARTH_RADIUS_M
M_PER_DEG_LNG = M_PER_DEG_LAT * math.cos(math.radians(LAT0))


def box(x0: float, y0: float, x1: float, y1: float) -> dict:
    """A rectangle given in metres east and north of (LAT0, LNG0), as GeoJSON."""

    def corner(x, y):
        return [LNG0 + x / M_PER_DEG_LNG, LAT0 + y / M_PER_DEG_LAT]

    ring = [corner(x0, y0), corner(x1, y0), corner(x1, y1), corner(x0, y1), corner(x0, y0)]
    return {"type": "Polygon", "coordinates": [ring]}


OUTLINE = box(0, 0, 1000, 1000)


def shape(geojson):
    return read_polygon(geojson)


@pytest.mark.parametrize(
    ("reach_m", "inside"), [(0, True), (5, True), (9, True), (20, False), (200, False)]
)
def test_a_boundary_may_stray_outside_the_outline_only_within_the_tolerance(reach_m, inside):
    boundary = box(500, 500, 1000 + reach_m, 900)
    finding = check_outline(shape(boundary), shape(OUTLINE))
    assert finding.inside is inside
    assert finding.farthest_m == pytest.approx(reach_m, abs=0.5)
    assert finding.outside_m2 == pytest.approx(reach_m * 400, rel=0.02, abs=1)


def test_overlaps_beyond_the_tolerance_are_named_with_their_area():
    boundaries = {
        "a": shape(box(0, 0, 500, 500)),
        "b": shape(box(480, 0, 1000, 500)),  # shares 20 m x 500 m = 10,000 m²
        "c": shape(box(0, 500, 500, 1000)),  # touches a along a line: no overlap
    }
    [overlap] = find_overlaps(boundaries)
    assert (overlap.first, overlap.second) == ("a", "b")
    assert overlap.area_m2 == pytest.approx(10_000, rel=0.01)
    assert overlap.share == pytest.approx(10_000 / (500 * 500), rel=0.01)


def test_a_sliver_within_both_tolerances_is_not_an_overlap():
    # 0.3 m x 500 m = 150 m²: under 200 m² and under 1% of 250,000 m².
    boundaries = {"a": shape(box(0, 0, 500, 500)), "b": shape(box(499.7, 0, 1000, 500))}
    assert find_overlaps(boundaries) == []
    # Over 200 m² though under 1%: reported.
    boundaries["b"] = shape(box(499, 0, 1000, 500))
    assert len(find_overlaps(boundaries)) == 1


def test_only_limits_the_overlaps_to_one_area():
    boundaries = {
        "a": shape(box(0, 0, 500, 500)),
        "b": shape(box(400, 0, 1000, 500)),
        "c": shape(box(900, 0, 1000, 1000)),
    }
    assert [(o.first, o.second) for o in find_overlaps(boundaries)] == [("a", "b"), ("b", "c")]
    assert [(o.first, o.second) for o in find_overlaps(boundaries, only="a")] == [("a", "b")]


def test_the_gap_share_is_the_part_of_the_outline_no_boundary_covers():
    halves = [shape(box(0, 0, 1000, 500)), shape(box(0, 500, 500, 1000))]
    assert gap_share(shape(OUTLINE), halves) == pytest.approx(0.25, abs=0.001)
    assert gap_share(shape(OUTLINE), []) == pytest.approx(1.0)
    # Boundaries outside the outline cover none of it.
    assert gap_share(shape(OUTLINE), [shape(box(2000, 0, 3000, 1000))]) == pytest.approx(1.0)


def test_the_report_lists_unreadable_boundaries_and_skips_the_outline_checks_without_one():
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    report = check_boundaries({"a": box(0, 0, 500, 500), "b": bowtie, "c": None}, None)
    assert report.unreadable == ["b"]
    assert report.outline == {} and report.gap_share is None
    report = check_boundaries({"a": box(0, 0, 500, 500), "b": box(0, 0, 2000, 500)}, OUTLINE)
    assert report.outline["a"].inside and not report.outline["b"].inside
    assert [(o.first, o.second) for o in report.overlaps] == [("a", "b")]
    assert report.gap_share == pytest.approx(0.5, abs=0.001)


def test_the_largest_part_of_a_multipolygon_is_kept_and_the_parts_counted():
    small, large = box(0, 0, 10, 10), box(100, 100, 600, 600)
    multi = {"type": "MultiPolygon", "coordinates": [small["coordinates"], large["coordinates"]]}
    polygon, parts = largest_part(multi)
    assert parts == 2
    assert polygon == {"type": "Polygon", "coordinates": large["coordinates"]}
    assert largest_part(small) == (small, 1)


def test_voronoi_cells_tile_the_outline_and_hold_their_points():
    points = [
        (LAT0 + y / M_PER_DEG_LAT, LNG0 + x / M_PER_DEG_LNG)
        for x, y in [(200, 200), (800, 250), (300, 700), (750, 800), (500, 500)]
    ]
    cells = voronoi_cells(OUTLINE, points)
    assert len(cells) == len(points)
    from shapely.geometry import Point

    for cell, (lat, lng) in zip(cells, points, strict=True):
        assert shape(cell).contains(Point(lng, lat))
    polygons = dict(enumerate(shape(c) for c in cells))
    assert find_overlaps(polygons, max_m2=1, max_share=1e-6) == []
    # Coordinates are rounded to six decimals (10 cm): a few square metres of seams.
    assert gap_share(shape(OUTLINE), list(polygons.values())) < 1e-4
