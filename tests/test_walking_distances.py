"""One walking distance everywhere: the area page, the gap matrix and the residents' map measure
the same pair of points the same way (straight line × the detour factor)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from scenarios.public_selectors import Origin, nearest_services, operating_offers
from sites.models import ServiceType
from sites.selectors import area_services
from siting.constants import DETOUR_FACTOR
from siting.geometry import haversine_m
from tests.builders import make_area, make_service_type, make_site, make_site_service

D = Decimal


@pytest.fixture
def street(db):
    """Three areas and five operating sites, laid out like a corner of the demo street. Each area
    misses one service another area offers: the north's nursery is 350 m away in a straight line
    (455 m on foot, within 500 m); the middle's health station 260 m (338 m on foot, beyond 300 m:
    only the straight line would call it covered); the south's canteen over a kilometre."""
    north = make_area(code="w-north", centroid_lat=D("31.200000"), centroid_lng=D("121.450000"))
    middle = make_area(code="w-mid", centroid_lat=D("31.193000"), centroid_lng=D("121.455000"))
    south = make_area(code="w-south", centroid_lat=D("31.186000"), centroid_lng=D("121.462000"))
    canteen = make_service_type("canteen")
    health = make_service_type("health_station")
    nursery = make_service_type("nursery")
    for area, lat, lng, services in [
        (north, "31.201000", "121.449000", [canteen, health]),
        (middle, "31.193500", "121.455500", [canteen]),
        (middle, "31.196852", "121.450000", [nursery]),
        (south, "31.190662", "121.455000", [health]),
        (south, "31.185000", "121.463000", [health, nursery]),
    ]:
        site = make_site(area=area, latitude=D(lat), longitude=D(lng))
        for service in services:
            make_site_service(site, service)
    return [north, middle, south]


def test_the_area_page_and_the_gap_matrix_give_the_same_walking_distance(planner_client, street):
    matrix = planner_client.get(reverse("scenarios:gaps")).context["matrix"]
    codes = [t.code for t in matrix["service_types"]]
    gap = {
        (row.area.pk, codes[i]): cell for row in matrix["rows"] for i, cell in enumerate(row.cells)
    }
    compared = 0
    for area in street:
        missing = planner_client.get(area.get_absolute_url()).context["missing"]
        for line in missing:
            if line.nearest is None:
                continue
            cell = gap[(area.pk, line.service_type.code)]
            assert line.nearest_m == pytest.approx(cell.nearest_m, rel=1e-12)
            assert line.nearest.name == cell.site_name
            assert line.nearest_within_threshold == cell.covered
            compared += 1
    assert compared == 3  # each area misses one service that another area offers


def test_the_area_page_measures_a_walk_not_a_straight_line(planner_client, street):
    middle = street[1]
    missing = {
        line.service_type.code: line
        for line in planner_client.get(middle.get_absolute_url()).context["missing"]
    }
    line = missing["health_station"]
    straight = haversine_m(
        float(middle.centroid_lat),
        float(middle.centroid_lng),
        float(line.nearest.latitude),
        float(line.nearest.longitude),
    )
    assert line.nearest_m == pytest.approx(straight * DETOUR_FACTOR, rel=1e-12)
    threshold = line.service_type.threshold_m
    assert straight < threshold < line.nearest_m
    assert not line.nearest_within_threshold


def test_the_residents_map_gives_the_same_walk_from_an_area_centre(street):
    """A resident who picks their neighbourhood stands at its centre: the walk to the nearest
    site of a service is the area page's figure for it."""
    middle = street[1]
    origin = Origin(float(middle.centroid_lat), float(middle.centroid_lng), middle)
    nearby = {
        s.service_type.code: s.nearest[0] for s in nearest_services(origin, operating_offers())
    }
    assert ServiceType.objects.get(code="health_station").threshold_m is not None
    _present, missing = area_services(middle)
    line = {line.service_type.code: line for line in missing}["health_station"]
    assert nearby["health_station"].site == line.nearest
    assert nearby["health_station"].walk_m == pytest.approx(line.nearest_m, rel=1e-12)
