"""Optimisation from a scenario: form, background task, progress, cancel, result scenario."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from scenarios import optimisation, runs, services
from scenarios.models import OptimisationRun, RunStatus, Scenario, ScenarioAddition
from tests.builders import (
    make_need_question,
    make_response,
    make_scenario,
    make_service_type,
    make_site,
    make_survey,
)

pytestmark = pytest.mark.django_db


def post_optimise(client, scenario, **data):
    form = {
        "service": "canteen",
        "model": "mclp",
        "new_sites": "1",
        "method": "auto",
        "time_limit_s": "10",
    }
    form.update(data)
    return client.post(reverse("scenarios:scenario_optimise", args=[scenario.pk]), form)


def test_form_defaults_lock_providers_and_exclude_hazards(planner_client, world):
    scenario = make_scenario(name="Base")
    response = planner_client.get(
        reverse("scenarios:scenario_optimise", args=[scenario.pk]), {"service": "canteen"}
    )
    form = response.context["form"]
    assert set(form.initial["locked"]) == {world["s1"].pk, world["h"].pk}
    assert world["k"].pk not in form.initial["excluded"]
    hazardous_candidate = builders_site_hazardous(world)
    response = planner_client.get(
        reverse("scenarios:scenario_optimise", args=[scenario.pk]), {"service": "canteen"}
    )
    assert hazardous_candidate.pk in response.context["form"].initial["excluded"]


def builders_site_hazardous(world):
    from sites.models import SiteStatus

    return make_site(name="Risky", status=SiteStatus.CANDIDATE, hazard_building=True)


def test_mclp_end_to_end_with_the_immediate_backend(planner_client, world):
    scenario = make_scenario(name="Base")
    response = post_optimise(planner_client, scenario, locked=[world["s1"].pk, world["h"].pk])
    run = OptimisationRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run.get_absolute_url()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.progress == 100
    assert run.task_result_id
    result = run.result_scenario
    assert result is not None and result.pk != scenario.pk
    added = list(ScenarioAddition.objects.filter(scenario=result))
    assert [(a.site, a.service_type) for a in added] == [(world["k"], world["canteen"])]
    # The explanation: K adds area C's demand, which nobody else reaches.
    chosen = {c["name"]: c for c in run.summary["chosen"]}
    assert set(chosen) == {"S1", "H", "K"}
    assert chosen["K"]["areas"] == ["Area C"]
    c_demand = services.evaluate_scenario(scenario=scenario)[world["canteen"].pk].metrics
    assert chosen["K"]["gain"] == pytest.approx(c_demand["unmet_demand"], abs=0.01)
    assert run.summary["solution"]["gap"] == 0

    page = planner_client.get(run.get_absolute_url())
    assert page.status_code == 200
    assert result.name in page.content.decode()
    planner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = planner_client.get(run.get_absolute_url()).content.decode()
    assert "1 site besides the locked ones" in english
    status = planner_client.get(reverse("scenarios:run_status", args=[run.pk])).json()
    assert status["finished"] is True and status["progress"] == 100

    compare = planner_client.get(
        reverse("scenarios:compare"), {"scenarios": [scenario.pk, result.pk]}
    )
    row = next(r for r in compare.context["data"]["rows"] if r["service_type"] == world["canteen"])
    assert row["cells"][1].metrics["share_covered"] == pytest.approx(1.0)


def test_pmedian_and_lscp(planner_client, world):
    scenario = make_scenario(name="Base")
    post_optimise(planner_client, scenario, model="pmedian", locked=[world["s1"].pk])
    run = OptimisationRun.objects.get(model="pmedian")
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.summary["solution"]["model"] == "pmedian"

    post_optimise(
        planner_client, scenario, model="lscp", new_sites="", target_share="1",
        locked=[world["s1"].pk, world["h"].pk],
    )  # fmt: skip
    run = OptimisationRun.objects.get(model="lscp")
    assert run.status == RunStatus.SUCCEEDED, run.error
    names = {c["name"] for c in run.summary["chosen"]}
    assert "K" in names


def test_form_errors_next_to_fields(planner_client, world):
    scenario = make_scenario()
    response = post_optimise(planner_client, scenario, new_sites="")
    assert response.status_code == 200
    assert response.context["form"].errors["new_sites"]
    response = post_optimise(planner_client, scenario, new_sites="5")
    assert response.context["form"].errors["new_sites"]
    response = post_optimise(planner_client, scenario, model="lscp", new_sites="")
    assert response.context["form"].errors["target_share"]
    assert not OptimisationRun.objects.exists()


def test_nothing_left_to_choose_is_a_form_error(planner_client, world):
    scenario = make_scenario()
    response = post_optimise(
        planner_client, scenario, locked=[world["s1"].pk, world["h"].pk], excluded=[world["k"].pk]
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_sites"]
    assert not OptimisationRun.objects.exists()


def test_excluded_candidates_are_never_chosen(planner_client, world):
    scenario = make_scenario()
    post_optimise(planner_client, scenario, locked=[world["s1"].pk], excluded=[world["k"].pk])
    run = OptimisationRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert world["k"].pk not in {c["site_id"] for c in run.summary["chosen"]}
    assert {c["name"] for c in run.summary["chosen"]} == {"S1", "H"}


def test_cancel_a_queued_run(planner_client, world):
    scenario = make_scenario()
    run = OptimisationRun.objects.create(
        scenario=scenario, model="mclp", service_type=world["canteen"], new_sites=1
    )
    response = planner_client.post(reverse("scenarios:run_cancel", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    # A worker picking the task up afterwards does nothing.
    assert runs.run_optimisation(run.pk) == {"status": "skipped"}
    run.refresh_from_db()
    assert run.result_scenario is None


def test_cancel_while_running_stops_before_saving(world, monkeypatch):
    scenario = make_scenario()
    run = OptimisationRun.objects.create(
        scenario=scenario, model="mclp", service_type=world["canteen"], new_sites=1
    )
    real_solve = optimisation.solve

    def solve_then_cancel(**kwargs):
        OptimisationRun.objects.filter(pk=run.pk).update(cancel_requested=True)
        return real_solve(**kwargs)

    monkeypatch.setattr(optimisation, "solve", solve_then_cancel)
    assert runs.run_optimisation(run.pk) == {"status": "cancelled"}
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert run.result_scenario is None
    assert Scenario.objects.count() == 1


def test_a_failing_solver_is_recorded(world, monkeypatch):
    scenario = make_scenario()
    run = OptimisationRun.objects.create(
        scenario=scenario, model="mclp", service_type=world["canteen"], new_sites=1
    )

    def broken(**kwargs):
        raise ValueError("p = 9 exceeds the 3 candidates that may be chosen")

    monkeypatch.setattr(optimisation, "solve", broken)
    assert runs.run_optimisation(run.pk)["status"] == "failed"
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "exceeds" in run.error
    assert run.finished_at is not None


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_database_backend_queues_the_task(planner_client, world):
    from django_tasks_db.models import DBTaskResult

    scenario = make_scenario()
    post_optimise(planner_client, scenario, locked=[world["s1"].pk, world["h"].pk])
    run = OptimisationRun.objects.get()
    assert run.status == RunStatus.QUEUED
    task = DBTaskResult.objects.get(id=run.task_result_id)
    assert task.task_path == "scenarios.tasks.optimise"
    page = planner_client.get(run.get_absolute_url()).content.decode()
    assert "scenario-run.js" in page
    assert reverse("scenarios:run_cancel", args=[run.pk]) in page
    # What db_worker would do: run the task function with its arguments.
    task.task.call(*task.task_result.args, **task.task_result.kwargs)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED


@pytest.fixture
def shared_world(world):
    """World plus a day care (100 m²; the canteen takes 150 m²). K, the one candidate, has
    200 m²: room for one of the two. Area C asks for canteens (3 of 3) more than for day care
    (1 of 3); area A, whose S1 already runs a canteen, asks for day care (3 of 3)."""
    from sites.models import ServiceType

    ServiceType.objects.filter(pk=world["canteen"].pk).update(min_floor_area_m2=150)
    daycare = make_service_type(
        "daycare", target_group="elderly", threshold_m=300, min_floor_area_m2=100
    )
    world["k"].floor_area_m2 = 200
    world["k"].save()
    survey = make_survey()
    choice = make_need_question(survey, [daycare])["daycare"]
    for name, asked in [("A", 3), ("C", 1)]:
        for i in range(3):
            make_response(survey, world["areas"][name], [choice] if i < asked else [])
    return {**world, "daycare": daycare}


def post_share(client, scenario, **data):
    form = {"new_sites": "1", "method": "auto", "time_limit_s": "10", **data}
    return client.post(reverse("scenarios:scenario_share", args=[scenario.pk]), form)


def test_shared_buildings_end_to_end(planner_client, shared_world):
    w = shared_world
    scenario = make_scenario(name="Base")
    page = planner_client.get(reverse("scenarios:scenario_share", args=[scenario.pk]))
    assert w["h"].pk in page.context["form"].initial["excluded"]  # the hazard, by default
    response = post_share(
        planner_client,
        scenario,
        services=[w["canteen"].pk, w["daycare"].pk],
        excluded=[w["h"].pk],
    )
    run = OptimisationRun.objects.get()
    assert response.status_code == 302
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.service_type is None
    assert sorted(run.service_type_ids) == sorted([w["canteen"].pk, w["daycare"].pk])
    added = {
        (a.site.name, a.service_type.code)
        for a in ScenarioAddition.objects.filter(scenario=run.result_scenario)
    }
    # S1 keeps its canteen and takes the day care (350 m² left); K fits only one service and
    # gets the canteen area C asks for most; H, excluded, only keeps its canteen.
    assert added == {("S1", "daycare"), ("K", "canteen")}
    chosen = {c["name"]: c for c in run.summary["chosen"]}
    assert chosen["K"]["area_used"] == 150 and chosen["K"]["floor_area"] == 200
    assert chosen["H"]["new_services"] == []
    assert sorted(run.summary["new_pairs"]) == sorted(
        [[w["s1"].pk, w["daycare"].pk], [w["k"].pk, w["canteen"].pk]]
    )

    planner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = planner_client.get(run.get_absolute_url()).content.decode()
    assert 'id="chosen-table"' in html and 'id="services-table"' in html
    assert "at most 1 new building" in html


def test_shared_buildings_needs_two_services(planner_client, english, shared_world):
    scenario = make_scenario(name="Base")
    response = post_share(planner_client, scenario, services=[shared_world["canteen"].pk])
    assert response.status_code == 200
    assert response.context["form"].errors["services"] == ["Choose at least two services."]
    assert not OptimisationRun.objects.exists()
