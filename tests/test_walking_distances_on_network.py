"""With a street network loaded, every page measures the same walk on it.

A river runs between two streets 100 m apart, with one bridge about 475 m to the east. An area's
centre lies on the south street, a site straight across the river on the north street: 130 m on
foot by the straight line × 1.3, about 1,050 m by the streets. The gap matrix, the area page,
the coverage page, the residents' map, the site page's rings, the subtraction review and route
lengths must all say the street figure, and say that they measured on the network.
"""

from decimal import Decimal

import numpy as np
import pytest
from django.urls import reverse

from scenarios import reviews
from scenarios.public_selectors import Origin, nearest_services, operating_offers
from sites.models import RouteStop, WalkingRoute
from sites.selectors import area_services
from siting import network as core
from siting.constants import DETOUR_FACTOR
from siting.geometry import haversine_m
from tests.builders import (
    make_area,
    make_service_type,
    make_site,
    make_site_service,
    make_walking_network,
)

D = Decimal
SOUTH, NORTH = 31.1900, 31.1909  # the two streets' latitudes: 100 m apart
WEST, CENTRE, BRIDGE = 121.445, 121.450, 121.455
LINES = [
    [(WEST, SOUTH), (CENTRE, SOUTH), (BRIDGE, SOUTH)],
    [(WEST, NORTH), (CENTRE, NORTH), (BRIDGE, NORTH)],
    [(BRIDGE, SOUTH), (BRIDGE, NORTH)],  # the only bridge
]


def street_walk(from_lat, from_lng, to_lat, to_lng) -> float:
    """The walk measured by the core on the same lines, the figure every page must show."""
    network = core.WalkingNetwork.from_lines(LINES)
    found = core.pairs_within(network, [from_lat], [from_lng], [to_lat], [to_lng], 5000)
    assert len(found.metres) == 1
    return float(found.metres[0])


@pytest.fixture
def riverside(db):
    make_walking_network(LINES, name="Riverside streets")
    service = make_service_type("x_canteen", threshold_m=500, target_group="all")
    south = make_area(
        code="r-south",
        name="South bank",
        centroid_lat=D(f"{SOUTH:.6f}"),
        centroid_lng=D(f"{CENTRE:.6f}"),
        population_total=4600,
    )
    north = make_area(
        code="r-north",
        name="North bank",
        centroid_lat=D(f"{NORTH:.6f}"),
        centroid_lng=D(f"{CENTRE:.6f}"),
        population_total=3000,
    )
    across = make_site(
        name="Across the river",
        area=north,
        latitude=D(f"{NORTH:.6f}"),
        longitude=D(f"{CENTRE:.6f}"),
    )
    make_site_service(across, service)
    walk = street_walk(SOUTH, CENTRE, NORTH, CENTRE)
    straight = float(haversine_m(SOUTH, CENTRE, NORTH, CENTRE))
    assert straight * DETOUR_FACTOR < 150 and walk > 1000  # the case is what it says
    return {"service": service, "south": south, "north": north, "across": across, "walk": walk}


def test_the_gap_matrix_measures_along_the_streets(planner_client, riverside):
    page = planner_client.get(reverse("scenarios:gaps"))
    matrix = page.context["matrix"]
    column = [t.code for t in matrix["service_types"]].index("x_canteen")
    row = next(r for r in matrix["rows"] if r.area == riverside["south"])
    cell = row.cells[column]
    assert cell.nearest_m == pytest.approx(riverside["walk"], rel=1e-9)
    assert cell.share == 0 and not cell.covered
    assert "Riverside streets" in page.content.decode()


def test_the_area_page_says_the_same_walk(planner_client, riverside):
    page = planner_client.get(riverside["south"].get_absolute_url())
    line = {m.service_type.code: m for m in page.context["missing"]}["x_canteen"]
    assert line.nearest == riverside["across"]
    assert line.nearest_m == pytest.approx(riverside["walk"], rel=1e-9)
    assert not line.nearest_within_threshold
    assert "Riverside streets" in page.content.decode()


def test_the_coverage_page_counts_the_south_bank_uncovered(planner_client, riverside):
    url = reverse("scenarios:coverage_detail", args=["x_canteen"])
    metrics = planner_client.get(url).context["metrics"]
    south = next(a for a in metrics["areas"] if a["area_id"] == riverside["south"].pk)
    assert south["nearest_m"] == pytest.approx(riverside["walk"], abs=0.05)
    assert not south["centre_covered"]
    assert metrics["on_network"]


def test_the_residents_map_gives_the_street_walk(riverside):
    south = riverside["south"]
    origin = Origin(float(south.centroid_lat), float(south.centroid_lng), south)
    nearby = {
        s.service_type.code: s.nearest[0] for s in nearest_services(origin, operating_offers())
    }
    assert nearby["x_canteen"].walk_m == pytest.approx(riverside["walk"], rel=1e-9)
    assert nearby["x_canteen"].minutes == int(np.ceil(riverside["walk"] / 70))


def test_the_site_page_rings_follow_the_streets(planner_client, riverside):
    rings = planner_client.get(riverside["across"].get_absolute_url()).context["rings"]
    within = {ring.radius_m: [item.area for item in ring.areas] for ring in rings}
    # The south bank's centre is 100 m away across the water but a kilometre on foot.
    assert within == {
        300: [riverside["north"]],
        500: [riverside["north"]],
        1000: [riverside["north"]],
    }


def test_the_subtraction_review_sees_who_loses_a_site(riverside):
    """Closing the south bank's own site leaves its residents without the service: the site
    across the river is 130 m away by the straight line but a kilometre by the streets."""
    own = make_site(
        name="South bank office",
        area=riverside["south"],
        latitude=D(f"{SOUTH:.6f}"),
        longitude=D(f"{CENTRE + 0.0003:.6f}"),
    )
    make_site_service(own, riverside["service"])
    review = {r.site.pk: r for r in reviews.monthly_review()}[own.pk]
    assert review.coverage == riverside["south"].population_total


def test_a_route_measures_its_legs_along_the_streets(client, riverside):
    route = WalkingRoute.objects.create(
        name_zh="过桥散步", name_en="Across and back", slug="across", published=True
    )
    for order, lat in enumerate((SOUTH, NORTH)):
        RouteStop.objects.create(
            route=route,
            order=order,
            name=f"Stop {order}",
            latitude=D(f"{lat:.6f}"),
            longitude=D(f"{CENTRE:.6f}"),
        )
    summary = client.get(reverse("public_route_detail", args=[route.slug])).context["summary"]
    assert summary.length_m == pytest.approx(riverside["walk"], rel=1e-9)


def test_the_pages_agree_with_one_another(planner_client, riverside):
    """Same pair of places, same figure, whichever page asks."""
    south = riverside["south"]
    _present, missing = area_services(south)
    area_page = {m.service_type.code: m for m in missing}["x_canteen"].nearest_m
    matrix = planner_client.get(reverse("scenarios:gaps")).context["matrix"]
    column = [t.code for t in matrix["service_types"]].index("x_canteen")
    gap = next(r for r in matrix["rows"] if r.area == south).cells[column].nearest_m
    origin = Origin(float(south.centroid_lat), float(south.centroid_lng), south)
    resident = {
        s.service_type.code: s.nearest[0] for s in nearest_services(origin, operating_offers())
    }["x_canteen"].walk_m
    assert area_page == pytest.approx(gap, rel=1e-12)
    assert resident == pytest.approx(gap, rel=1e-12)
