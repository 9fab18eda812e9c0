"""Scenarios: create from today, change, evaluate; saved results are never served stale."""

from decimal import Decimal

import pytest
from django.urls import reverse

from scenarios.models import Scenario, ScenarioAddition, ScenarioResult
from scenarios.services import evaluate_scenario
from tests.builders import make_response, make_scenario

pytestmark = pytest.mark.django_db


def canteen_result(scenario, world) -> ScenarioResult:
    return evaluate_scenario(scenario=scenario)[world["canteen"].pk]


def test_create_from_today_and_add_a_site(planner_client, world):
    response = planner_client.post(
        reverse("scenarios:scenario_create"),
        {
            "name": "Open K",
            "description": "",
            "detour_factor": "1.3",
            "speed_m_per_min": "70",
            "elderly_speed_m_per_min": "50",
            "prior_strength": "10",
        },
    )
    scenario = Scenario.objects.get(name="Open K")
    assert response.status_code == 302
    assert scenario.created_by.username == "planner"
    before = canteen_result(scenario, world).metrics["share_covered"]

    response = planner_client.post(
        reverse("scenarios:addition_create", args=[scenario.pk]),
        {"site": world["k"].pk, "service_type": world["canteen"].pk, "floor_area_m2": "120"},
    )
    assert response.status_code == 302
    after = canteen_result(scenario, world).metrics
    assert before < 1
    assert after["share_covered"] == pytest.approx(1.0)
    assert after["added_count"] == 1

    detail = planner_client.get(scenario.get_absolute_url())
    assert detail.status_code == 200
    assert detail.context["summary"]["floor_area"] == Decimal("120")
    assert [s.name for s in detail.context["summary"]["opened"]] == ["K"]


def test_addition_errors_are_shown_next_to_the_field(planner_client, world):
    scenario = make_scenario()
    url = reverse("scenarios:addition_create", args=[scenario.pk])
    response = planner_client.post(
        url, {"site": world["s1"].pk, "service_type": world["canteen"].pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["service_type"]
    # K has 500 m² (the builder's default): 600 m² for one service is too much.
    response = planner_client.post(
        url, {"site": world["k"].pk, "service_type": world["canteen"].pk, "floor_area_m2": "600"}
    )
    assert response.context["form"].errors["floor_area_m2"]
    assert not ScenarioAddition.objects.exists()


def test_closing_sites_lowers_coverage(planner_client, world):
    scenario = make_scenario(name="Subtract")
    planner_client.post(
        reverse("scenarios:scenario_update", args=[scenario.pk]),
        {
            "name": "Subtract",
            "detour_factor": "1.3",
            "speed_m_per_min": "70",
            "elderly_speed_m_per_min": "50",
            "prior_strength": "10",
            "closed_sites": [world["h"].pk],
        },
    )
    assert list(scenario.closed_sites.all()) == [world["h"]]
    metrics = canteen_result(scenario, world).metrics
    assert metrics["site_count"] == 1
    assert metrics["group_share"]["elderly"] == pytest.approx(1 / 3, abs=1e-4)


def test_results_are_saved_and_reused_while_inputs_stay_the_same(world):
    scenario = make_scenario()
    first = canteen_result(scenario, world)
    saved = ScenarioResult.objects.get(scenario=scenario, service_type=world["canteen"])
    assert saved.fingerprint == first.fingerprint
    second = canteen_result(scenario, world)
    assert second.computed_at == first.computed_at
    assert ScenarioResult.objects.filter(scenario=scenario).count() == len(
        evaluate_scenario(scenario=scenario)
    )


def test_stale_after_a_site_moves(world):
    scenario = make_scenario()
    before = canteen_result(scenario, world)
    site = world["s1"]
    site.latitude = world["areas"]["C"].centroid_lat
    site.longitude = world["areas"]["C"].centroid_lng
    site.save()
    after = canteen_result(scenario, world)
    assert after.fingerprint != before.fingerprint
    covered = {a["area_id"]: a["centre_covered"] for a in after.metrics["areas"]}
    assert covered[world["areas"]["C"].pk] is True
    assert covered[world["areas"]["A"].pk] is False
    stored = ScenarioResult.objects.get(scenario=scenario, service_type=world["canteen"])
    assert stored.metrics == after.metrics


def test_stale_after_a_service_stops_or_its_capacity_changes(world):
    scenario = make_scenario()
    before = canteen_result(scenario, world)
    service = world["s1"].services.get()
    service.daily_capacity = 5
    service.save()
    after = canteen_result(scenario, world)
    assert after.fingerprint != before.fingerprint
    s1 = next(s for s in after.metrics["sites"] if s["name"] == "S1")
    assert s1["capacity"] == 5
    service.status = "suspended"
    service.save()
    assert canteen_result(scenario, world).metrics["site_count"] == 1


def test_stale_after_a_new_response(world):
    scenario = make_scenario()
    before = canteen_result(scenario, world)
    make_response(world["survey"], world["areas"]["C"], [world["choice"]])
    after = canteen_result(scenario, world)
    assert after.fingerprint != before.fingerprint
    assert after.metrics["total_demand"] != before.metrics["total_demand"]


def test_stale_after_a_parameter_or_the_standard_changes(world):
    scenario = make_scenario()
    before = canteen_result(scenario, world)
    Scenario.objects.filter(pk=scenario.pk).update(elderly_speed_m_per_min=40)
    scenario.refresh_from_db()
    after = canteen_result(scenario, world)
    assert after.metrics["speed"] == 40
    canteen = world["canteen"]
    canteen.threshold_m = 2000
    canteen.save()
    widened = canteen_result(scenario, world)
    assert widened.fingerprint not in {before.fingerprint, after.fingerprint}
    assert widened.metrics["share_covered"] == pytest.approx(1.0)


def test_stale_after_an_area_population_changes(world):
    scenario = make_scenario()
    before = canteen_result(scenario, world)
    area = world["areas"]["C"]
    area.population_elderly = 3000
    area.save()
    after = canteen_result(scenario, world)
    assert after.metrics["unmet_demand"] > before.metrics["unmet_demand"]


def test_scenario_detail_shows_fresh_results(planner_client, world):
    scenario = make_scenario()
    planner_client.get(scenario.get_absolute_url())
    world["h"].services.update(status="closed")
    response = planner_client.get(scenario.get_absolute_url())
    result = next(r for r in response.context["results"] if r.service_type == world["canteen"])
    assert result.metrics["site_count"] == 1


def test_evaluate_button_recomputes(planner_client, world):
    scenario = make_scenario()
    first = canteen_result(scenario, world)
    response = planner_client.post(reverse("scenarios:scenario_evaluate", args=[scenario.pk]))
    assert response.status_code == 302
    stored = ScenarioResult.objects.get(scenario=scenario, service_type=world["canteen"])
    assert stored.computed_at >= first.computed_at
    assert stored.metrics == first.metrics


def test_remove_an_addition(planner_client, world):
    scenario = make_scenario()
    addition = ScenarioAddition.objects.create(
        scenario=scenario, site=world["k"], service_type=world["canteen"]
    )
    assert canteen_result(scenario, world).metrics["share_covered"] == pytest.approx(1.0)
    planner_client.post(reverse("scenarios:addition_delete", args=[scenario.pk, addition.pk]))
    assert not ScenarioAddition.objects.exists()
    assert canteen_result(scenario, world).metrics["share_covered"] < 1


def test_compare_two_to_four(planner_client, world):
    today = make_scenario(name="Today")
    more = make_scenario(name="More")
    ScenarioAddition.objects.create(
        scenario=more, site=world["k"], service_type=world["canteen"], floor_area_m2=100
    )
    url = reverse("scenarios:compare")
    response = planner_client.get(url, {"scenarios": [today.pk, more.pk]})
    data = response.context["data"]
    row = next(r for r in data["rows"] if r["service_type"] == world["canteen"])
    shares = [cell.metrics["share_covered"] for cell in row["cells"]]
    assert shares[0] < shares[1] == pytest.approx(1.0)
    assert [c["summary"]["floor_area"] for c in data["columns"]] == [0, 100]
    assert "<meter" in response.content.decode()
    assert 'style="' not in response.content.decode()

    response = planner_client.get(url, {"scenarios": [today.pk]})
    assert response.context["data"] is None
    assert response.context["form"].errors["scenarios"]


def test_boundaries_give_finer_demand_points(world):
    area = world["areas"]["A"]
    lat, lng = float(area.centroid_lat), float(area.centroid_lng)
    d = 0.004
    area.boundary = {
        "type": "Polygon",
        "coordinates": [
            [[lng - d, lat - d], [lng + d, lat - d], [lng + d, lat + d], [lng - d, lat + d],
             [lng - d, lat - d]]
        ],
    }  # fmt: skip
    area.save()
    scenario = make_scenario()
    metrics = canteen_result(scenario, world).metrics
    a = next(x for x in metrics["areas"] if x["area_id"] == area.pk)
    # S1 at the centre reaches only part of an 800 m square: some of A is now unmet.
    assert 0 < a["unmet"] < a["demand"]
    assert a["centre_covered"] is True


def test_pages_carry_no_inline_styles_or_scripts(planner_client, world):
    scenario = make_scenario()
    for url in [
        reverse("scenarios:index"),
        reverse("scenarios:coverage_detail", args=["canteen"]),
        reverse("scenarios:demand_detail", args=["canteen"]),
        scenario.get_absolute_url(),
    ]:
        html = planner_client.get(url).content.decode()
        assert 'style="' not in html, url
        assert "onclick" not in html, url
        for chunk in html.split("<script")[1:]:
            tag = chunk.split(">")[0]
            # Files from our origin, JSON data, or inline code carrying the nonce.
            assert "src=" in tag or "application/json" in tag or 'nonce="' in tag, url
