"""Provision against standards (issue #18): capacity within reach against demand per area, and
services below the standard's minimum floor area shown as under-provided."""

import re

import pytest
from django.urls import reverse

from scenarios.inputs import Parameters, today_inputs
from scenarios.provision import provision
from sites.models import ServiceType
from tests.builders import make_service_type, make_site, make_site_service

pytestmark = pytest.mark.django_db


def test_capacity_within_reach_against_demand_per_area(world):
    """Each canteen reaches its own area only (conftest): area A gets S1's 100 seats, area B
    H's 100, area C nothing; demand is the elderly need of each area."""
    canteen = world["canteen"]
    inputs = today_inputs(params=Parameters(), service_types=[canteen])
    [result] = provision(inputs)
    rows = {r.area.name: r for r in result.rows}
    demand = {row.area.name: row.demand for row in inputs.demand_rows(canteen)}
    assert rows["Area A"].within_reach == pytest.approx(100)
    assert rows["Area A"].allotted == pytest.approx(100)
    assert rows["Area C"].within_reach == 0 and rows["Area C"].allotted == 0
    for name, row in rows.items():
        assert row.demand == pytest.approx(demand[name])
        assert row.shortfall == pytest.approx(max(demand[name] - row.allotted, 0))
    assert rows["Area C"].met is False


def test_a_site_below_the_minimum_is_under_provided_not_full_provision(
    planner_client, english, world
):
    """A 180 m² day care against a 350 m² minimum. No survey asks about day care, so its demand
    is the standard's 50 m² per 1,000 residents and capacity is floor area: the 180 m² are
    within reach of area A but not counted as provision there."""
    day_care = make_service_type("elderly_day_care")
    assert day_care.min_floor_area_m2 == 350
    ServiceType.objects.filter(pk=day_care.pk).update(threshold_m=300)
    a = world["areas"]["A"]
    small = make_site(name="Small day care", latitude=a.centroid_lat, longitude=a.centroid_lng)
    make_site_service(small, day_care, floor_area_m2=180, daily_capacity=40)

    response = planner_client.get(reverse("scenarios:provision"), {"service": day_care.code})
    assert response.status_code == 200
    chosen = response.context["chosen"]
    [row] = [r for r in chosen.rows if r.area == a]
    assert chosen.unit == "m2"
    assert row.demand == pytest.approx(50 * 4000 / 1000)
    assert row.within_reach == pytest.approx(180)
    assert row.below_minimum_within_reach == pytest.approx(180)
    assert row.allotted == 0 and row.shortfall == pytest.approx(200)
    html = response.content.decode()
    assert "under-provided (180 m² &lt; 350 m²)" in html
    summary = re.search(r'<table[^>]* id="provision-summary">.*?</table>', html, re.S).group(0)
    [day_care_row] = [r for r in re.findall(r"<tr>.*?</tr>", summary, re.S) if "day care" in r]
    assert re.findall(r'<td class="num">(\d+)</td>', day_care_row)[-1] == "1"


def test_the_page_shows_the_sources_of_its_numbers(planner_client, english, world):
    nursery = ServiceType.objects.get(code="nursery")
    html = planner_client.get(reverse("scenarios:provision"), {"service": "nursery"}).content
    html = html.decode()
    assert nursery.source_for("per_thousand_places").clause in html
    assert nursery.source_for("threshold_m").clause in html
    assert "Per-1,000 requirement" in html
