from decimal import Decimal

import numpy as np
import pytest

from sites.selectors import area_for_point, haversine_m, neighbourhoods_within
from tests import factories


def test_haversine_gives_known_distances():
    # One degree of latitude is about 111.2 km anywhere.
    assert haversine_m(31.0, 121.0, 32.0, 121.0) == pytest.approx(111_195, rel=1e-3)
    # Along a parallel the distance shrinks with the cosine of the latitude.
    east = haversine_m(31.193, 121.450, 31.193, 121.460)
    assert east == pytest.approx(1_000 * 0.01 * 111.195 * np.cos(np.radians(31.193)), rel=1e-3)
    assert haversine_m(31.19, 121.45, 31.19, 121.45) == 0


def test_haversine_broadcasts_over_arrays():
    distances = haversine_m(31.19, 121.45, [31.19, 31.2, 31.18], [121.45, 121.45, 121.45])
    assert distances.shape == (3,)
    assert distances[0] == 0 and distances[1] == pytest.approx(distances[2], rel=1e-3)


@pytest.mark.django_db
def test_neighbourhoods_come_nearest_first():
    far = factories.area(centroid_lat=Decimal("31.197000"))
    near = factories.area(centroid_lat=Decimal("31.194000"))
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
    square = {
        "type": "Polygon",
        "coordinates": [
            [[121.45, 31.19], [121.46, 31.19], [121.46, 31.2], [121.45, 31.2], [121.45, 31.19]]
        ],
    }
    bounded = factories.area(
        boundary=square, centroid_lat=Decimal("31.195"), centroid_lng=Decimal("121.455")
    )
    # A centre nearer to the point, but the point lies inside the other area's boundary.
    nearer = factories.area(centroid_lat=Decimal("31.1905"), centroid_lng=Decimal("121.4495"))
    assert area_for_point(31.1906, 121.4502) == bounded
    assert area_for_point(31.1905, 121.4490) == nearer
    assert area_for_point(31.230, 121.500) is None  # more than 1,000 m from every centre
