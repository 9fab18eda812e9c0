"""Demand sits where people live: at an area's housing estates, each carrying its share of the
area's residents of the service's target group; an area without estates keeps its boundary grid
or its centre; coverage becomes the share of residents within reach."""

from decimal import Decimal

import numpy as np
import pytest

from scenarios.evaluation import evaluate_service
from scenarios.inputs import Parameters, today_inputs
from scenarios.inputs import demand_points as demand_at_points
from sites.models import SiteStatus
from tests.builders import (
    make_area,
    make_need_question,
    make_residential_point,
    make_responses,
    make_service_type,
    make_site,
    make_site_service,
    make_survey,
)

CENTRE_LAT, CENTRE_LNG = Decimal("31.193000"), Decimal("121.455000")
# Two estates 0.006° of longitude (about 570 m) apart on either side of the area's centre.
WEST_LNG, EAST_LNG = Decimal("121.452000"), Decimal("121.458000")


@pytest.fixture
def street(db):
    """One area of 4,000 residents (400 elderly) with two estates: the west one holds a quarter
    of the residents but three quarters of the elderly. Every respondent asks for both services,
    so each service's demand is its whole target group: 400 for day care, 4,000 for the
    canteen (need rate (k·1 + 4) / (k + 4) = 1)."""
    area = make_area(
        code="fenglin",
        centroid_lat=CENTRE_LAT,
        centroid_lng=CENTRE_LNG,
        population_total=4000,
        population_elderly=400,
    )
    west = make_residential_point(
        code="west", longitude=WEST_LNG, population_total=1000, population_elderly=300
    )
    east = make_residential_point(
        code="east", longitude=EAST_LNG, population_total=3000, population_elderly=100
    )
    day_care = make_service_type("day_care_t", target_group="elderly", threshold_m=300)
    canteen = make_service_type("canteen_t", target_group="all", threshold_m=300)
    survey = make_survey()
    choices = make_need_question(survey, [day_care, canteen])
    make_responses(survey, 4, area=area, choices=list(choices.values()))
    return {"area": area, "west": west, "east": east, "day_care": day_care, "canteen": canteen}


def inputs_for(*service_types):
    return today_inputs(params=Parameters(), service_types=list(service_types))


def test_estates_are_placed_in_their_area(street):
    assert street["west"].area == street["area"]
    assert street["east"].area == street["area"]


def test_an_elderly_service_follows_the_elderly_and_a_general_one_the_residents(street):
    inputs = inputs_for(street["day_care"], street["canteen"])
    day_care = demand_at_points(inputs, street["day_care"])
    canteen = demand_at_points(inputs, street["canteen"])
    # West first (residences in the order they were saved).
    assert np.allclose(day_care.lng, [float(WEST_LNG), float(EAST_LNG)])
    assert np.allclose(day_care.weight, [300, 100])  # 400 × 75 % and 400 × 25 %
    assert np.allclose(canteen.weight, [1000, 3000])  # 4,000 × 25 % and 4,000 × 75 %
    # Each group's population sits by that group's own shares, whatever the service.
    assert np.allclose(canteen.groups["elderly"], [300, 100])
    assert np.allclose(day_care.groups["all"], [1000, 3000])


def test_a_group_the_estates_lack_follows_their_residents(street):
    # No estate counts its children: the area's 700 children follow the total shares.
    inputs = inputs_for(street["canteen"])
    children = demand_at_points(inputs, street["canteen"]).groups["children"]
    assert np.allclose(children, [700 * 0.25, 700 * 0.75])


def test_an_area_without_estates_uses_its_boundary_grid_or_its_centre(street):
    square = [[121.470, 31.200], [121.474, 31.200], [121.474, 31.203], [121.470, 31.203]]
    bounded = make_area(
        code="bounded",
        centroid_lat=Decimal("31.201500"),
        centroid_lng=Decimal("121.472000"),
        boundary={"type": "Polygon", "coordinates": [[*square, square[0]]]},
    )
    bare = make_area(code="bare", centroid_lat=Decimal("31.185000"))
    # An estate without a population figure carries nothing: its area keeps its centre.
    make_residential_point(
        code="unknown", latitude=Decimal("31.185000"), population_total=None,
        population_elderly=None,
    )  # fmt: skip
    inputs = inputs_for(street["canteen"])
    points = inputs.points
    positions = [a.pk for a in inputs.areas]
    grid = points.area_index == positions.index(bounded.pk)
    assert grid.sum() > 10
    assert (points.lng[grid] > 121.470).all() and (points.lng[grid] < 121.474).all()
    assert np.allclose(points.share[grid], 1 / grid.sum())
    centre = points.area_index == positions.index(bare.pk)
    assert centre.sum() == 1
    assert points.lat[centre][0] == pytest.approx(31.185)
    assert not points.at_centroids


def test_a_site_within_reach_of_one_estate_covers_only_its_share(street):
    # At the west estate: the east one is about 570 m away, beyond the 300 m standard.
    site = make_site(latitude=CENTRE_LAT, longitude=WEST_LNG, status=SiteStatus.OPERATING)
    make_site_service(site, street["day_care"])
    make_site_service(site, street["canteen"])
    inputs = inputs_for(street["day_care"], street["canteen"])

    day_care = evaluate_service(inputs, street["day_care"])
    assert day_care["share_covered"] == pytest.approx(0.75)
    assert day_care["areas"][0]["unmet"] == pytest.approx(100)

    canteen = evaluate_service(inputs, street["canteen"])
    assert canteen["share_covered"] == pytest.approx(0.25)
    assert canteen["areas"][0]["unmet"] == pytest.approx(3000)


def test_moving_an_estate_changes_the_inputs_digest(street):
    before = inputs_for(street["canteen"]).areas_key
    west = street["west"]
    west.population_elderly = 200
    west.save()
    assert inputs_for(street["canteen"]).areas_key != before
