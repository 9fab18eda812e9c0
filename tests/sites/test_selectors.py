from decimal import Decimal

import pytest

from sites.models import Area
from sites.selectors import area_for_point, neighbourhoods_within
from tests.builders import make_area

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[121.45, 31.19], [121.46, 31.19], [121.46, 31.2], [121.45, 31.2], [121.45, 31.19]]
    ],
}


@pytest.mark.django_db
def test_neighbourhoods_come_nearest_first():
    far = make_area(centroid_lat=Decimal("31.197000"))
    near = make_area(centroid_lat=Decimal("31.194000"))
    rings = neighbourhoods_within(Decimal("31.193"), Decimal("121.455"), radii=(200, 600))
    assert [item.area for item in rings[0].areas] == [near]
    assert [item.area for item in rings[1].areas] == [near, far]
    assert rings[1].areas[0].distance_m < rings[1].areas[1].distance_m


@pytest.mark.django_db
def test_no_areas_means_empty_rings():
    rings = neighbourhoods_within(31.193, 121.455)
    assert [ring.areas for ring in rings] == [[], [], []]


@pytest.mark.django_db
def test_area_for_point_prefers_the_boundary_then_the_nearest_centre():
    bounded = make_area(
        boundary=SQUARE, centroid_lat=Decimal("31.195"), centroid_lng=Decimal("121.455")
    )
    # A centre nearer to the point, but the point lies inside the other area's boundary.
    nearer = make_area(centroid_lat=Decimal("31.1905"), centroid_lng=Decimal("121.4495"))
    assert area_for_point(31.1906, 121.4502) == bounded
    assert area_for_point(31.1905, 121.4490) == nearer
    assert area_for_point(31.230, 121.500) is None  # more than 1,000 m from every centre


@pytest.mark.django_db
def test_a_point_outside_a_drawn_boundary_is_not_that_area_however_near_its_centre():
    # 100 m west of the square's edge, about 570 m from its centre: a site registered there or
    # a resident's pin is not in the bounded area, but in the unbounded one 400 m away.
    make_area(boundary=SQUARE, centroid_lat=Decimal("31.195"), centroid_lng=Decimal("121.455"))
    assert area_for_point(31.195, 121.449) is None
    unbounded = make_area(centroid_lat=Decimal("31.195"), centroid_lng=Decimal("121.445"))
    assert area_for_point(31.195, 121.449) == unbounded


@pytest.mark.django_db
def test_area_for_point_places_many_points_with_the_areas_read_once(django_assert_num_queries):
    bounded = make_area(boundary=SQUARE, centroid_lat=Decimal("31.195"))
    unbounded = make_area(centroid_lat=Decimal("31.195"), centroid_lng=Decimal("121.445"))
    areas = list(Area.objects.all())
    with django_assert_num_queries(0):
        found = [area_for_point(31.195, lng, areas) for lng in (121.455, 121.449, 121.40)]
    assert found == [bounded, unbounded, None]
