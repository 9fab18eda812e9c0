"""Suitable premises (issue #18): the optimiser is offered a site for a service only when the
standards allow its type and its free floor area meets the minimum; planners may decide
otherwise with a reason, kept in the history; the run page lists what was screened out."""

import pytest
from django.conf import settings
from django.urls import reverse

from scenarios import premises
from scenarios.models import OptimisationRun, PremisesOverride, RunStatus, ScenarioAddition
from sites.models import PremisesType, ServiceType, SiteStatus
from tests.builders import make_scenario, make_service_type, make_site, make_site_service

pytestmark = pytest.mark.django_db


def post_optimise(client, scenario, world, **data):
    """One canteen besides the two operating ones (locked)."""
    form = {"service": "canteen", "model": "mclp", "new_sites": "1", "method": "auto"}
    form.update(time_limit_s="10", locked=[world["s1"].pk, world["h"].pk], **data)
    return client.post(reverse("scenarios:scenario_optimise", args=[scenario.pk]), form)


def post_share(client, scenario, **data):
    form = {"new_sites": "1", "method": "auto", "time_limit_s": "10", **data}
    return client.post(reverse("scenarios:scenario_share", args=[scenario.pk]), form)


def added(run) -> set[tuple[str, str]]:
    rows = ScenarioAddition.objects.filter(scenario=run.result_scenario)
    return {(a.site.name, a.service_type.code) for a in rows}


def second_candidate(world):
    """A suitable shopfront beside H in area B, so that a run still has a choice."""
    b = world["areas"]["B"]
    return make_site(
        name="Shop",
        latitude=b.centroid_lat,
        longitude=b.centroid_lng,
        status=SiteStatus.CANDIDATE,
        premises_type=PremisesType.SHOPFRONT,
    )


def test_a_kindergarten_is_never_offered_for_a_canteen(world):
    scenario = make_scenario(name="Base")
    world["k"].premises_type = PremisesType.KINDERGARTEN
    world["k"].save()
    shop = second_candidate(world)
    screening = premises.screen([world["k"], shop], world["canteen"], scenario)
    assert screening.offered == [shop]
    [verdict] = screening.screened_out
    assert verdict.site == world["k"]
    assert verdict.reasons == ({"code": "type", "premises": "kindergarten"},)


def test_an_mclp_run_never_puts_a_canteen_in_a_kindergarten(planner_client, world):
    world["k"].premises_type = PremisesType.KINDERGARTEN
    world["k"].save()
    second_candidate(world)
    post_optimise(planner_client, make_scenario(name="Base"), world)
    run = OptimisationRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED, run.error
    # K is where the unmet demand is, and still not chosen: it is not suitable.
    assert added(run) == {("Shop", "canteen")}
    [screened] = run.summary["screened"]
    assert (screened["name"], screened["reasons"][0]["code"]) == ("K", "type")


def test_free_floor_area_counts_services_already_there(world):
    """400 m² less a 150 m² laundry and a health station without a recorded area (its
    standard's minimum, 120 m², not 0): 130 m² free, too little for a 300 m² canteen."""
    scenario = make_scenario(name="Base")
    ServiceType.objects.filter(pk=world["canteen"].pk).update(min_floor_area_m2=300)
    canteen = ServiceType.objects.get(pk=world["canteen"].pk)
    site = make_site(name="Busy", floor_area_m2=400)
    make_site_service(site, make_service_type("laundry"), floor_area_m2=150)
    make_site_service(site, make_service_type("health_station"))
    [verdict] = premises.screen([site], canteen, scenario).verdicts
    assert verdict.free_m2 == pytest.approx(400 - 150 - 120)
    assert verdict.reasons == ({"code": "area", "free": 130.0, "minimum": 300.0},)


def test_a_140_m2_building_never_gets_a_larger_canteen_in_a_single_run(planner_client, world):
    ServiceType.objects.filter(pk=world["canteen"].pk).update(min_floor_area_m2=300)
    world["k"].floor_area_m2 = 140
    world["k"].save()
    second_candidate(world)
    post_optimise(planner_client, make_scenario(name="Base"), world)
    run = OptimisationRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert ("K", "canteen") not in added(run)
    [screened] = run.summary["screened"]
    assert screened["reasons"] == [{"code": "area", "free": 140.0, "minimum": 300.0}]


def test_a_140_m2_building_never_gets_a_larger_canteen_in_a_shared_run(planner_client, world):
    """K (140 m²) is where canteens are asked for most; the day care (100 m²) fits there, the
    canteen (300 m²) does not, whatever the demand."""
    ServiceType.objects.filter(pk=world["canteen"].pk).update(min_floor_area_m2=300)
    daycare = make_service_type(
        "daycare", target_group="elderly", threshold_m=300, min_floor_area_m2=100
    )
    world["k"].floor_area_m2 = 140
    world["k"].save()
    post_share(
        planner_client, make_scenario(name="Base"), services=[world["canteen"].pk, daycare.pk]
    )
    run = OptimisationRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert ("K", "canteen") not in added(run)
    screened = {(s["name"], s["service"]) for s in run.summary["screened"]}
    assert ("K", world["canteen"].name) in screened
    assert ("K", daycare.name) not in screened
    floor_areas = {f["service"]: f["minimum"] for f in run.summary["floor_areas"]}
    assert floor_areas == {world["canteen"].name: 300.0, daycare.name: 100.0}


def test_a_decision_with_a_reason_allows_a_screened_site_and_is_kept(
    planner_client, english, world
):
    world["k"].premises_type = PremisesType.KINDERGARTEN
    world["k"].save()
    second_candidate(world)
    url = reverse("scenarios:premises_decision")
    refused = planner_client.post(
        url, {"site": world["k"].pk, "service_type": world["canteen"].pk, "decision": "allow"}
    )
    assert refused.status_code == 200
    assert refused.context["form"].errors["reason"]
    assert not PremisesOverride.objects.exists()

    reason = "The kindergarten moved out; the building is empty."
    response = planner_client.post(
        url,
        {
            "site": world["k"].pk,
            "service_type": world["canteen"].pk,
            "decision": "allow",
            "reason": reason,
        },
    )
    assert response.status_code == 302
    post_optimise(planner_client, make_scenario(name="Base"), world)
    run = OptimisationRun.objects.get()
    assert added(run) == {("K", "canteen")}
    [screened] = run.summary["screened"]
    assert screened["override"] == {"allowed": True, "reason": reason}

    planner_client.post(
        url,
        {
            "site": world["k"].pk,
            "service_type": world["canteen"].pk,
            "decision": "refuse",
            "reason": "Changed our mind.",
        },
    )
    history = PremisesOverride.history.order_by("history_date")
    assert [(h.allowed, h.reason) for h in history] == [
        (True, reason),
        (False, "Changed our mind."),
    ]
    assert reason in planner_client.get(url).content.decode()


def test_the_run_page_lists_the_screened_premises_and_why(planner_client, world):
    world["k"].premises_type = PremisesType.KINDERGARTEN
    world["k"].save()
    second_candidate(world)
    post_optimise(planner_client, make_scenario(name="Base"), world)
    run = OptimisationRun.objects.get()
    planner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = planner_client.get(run.get_absolute_url()).content.decode()
    assert 'id="screened-table"' in html
    assert "type “Kindergarten or school” not allowed for" in html
    assert "no minimum in the standard" in html
    assert reverse("scenarios:premises_decision") + f"?site={world['k'].pk}" in html


def test_a_run_without_any_suitable_premises_says_so(planner_client, world):
    world["k"].premises_type = PremisesType.KINDERGARTEN
    world["k"].save()
    planner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the run's message is English
    post_optimise(planner_client, make_scenario(name="Base"), world)
    run = OptimisationRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert "No candidate premises is suitable" in run.failure_message
    assert run.result_scenario is None
