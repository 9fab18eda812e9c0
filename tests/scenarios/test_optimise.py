"""Optimisation from a scenario: form, background task, progress, cancel, result scenario."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from scenarios import services
from scenarios.models import OptimisationRun, RunStatus, Scenario, ScenarioAddition
from tests.scenarios import builders

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
    scenario = builders.scenario(name="Base")
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
    from tests import factories

    return factories.site(name="Risky", status=SiteStatus.CANDIDATE, hazard_building=True)


def test_mclp_end_to_end_with_the_immediate_backend(planner_client, world):
    scenario = builders.scenario(name="Base")
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
    scenario = builders.scenario(name="Base")
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
    scenario = builders.scenario()
    response = post_optimise(planner_client, scenario, new_sites="")
    assert response.status_code == 200
    assert response.context["form"].errors["new_sites"]
    response = post_optimise(planner_client, scenario, new_sites="5")
    assert response.context["form"].errors["new_sites"]
    response = post_optimise(planner_client, scenario, model="lscp", new_sites="")
    assert response.context["form"].errors["target_share"]
    assert not OptimisationRun.objects.exists()


def test_nothing_left_to_choose_is_a_form_error(planner_client, world):
    scenario = builders.scenario()
    response = post_optimise(
        planner_client, scenario, locked=[world["s1"].pk, world["h"].pk], excluded=[world["k"].pk]
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_sites"]
    assert not OptimisationRun.objects.exists()


def test_excluded_candidates_are_never_chosen(planner_client, world):
    scenario = builders.scenario()
    post_optimise(planner_client, scenario, locked=[world["s1"].pk], excluded=[world["k"].pk])
    run = OptimisationRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert world["k"].pk not in {c["site_id"] for c in run.summary["chosen"]}
    assert {c["name"] for c in run.summary["chosen"]} == {"S1", "H"}


def test_cancel_a_queued_run(planner_client, world):
    scenario = builders.scenario()
    run = OptimisationRun.objects.create(
        scenario=scenario, model="mclp", service_type=world["canteen"], new_sites=1
    )
    response = planner_client.post(reverse("scenarios:run_cancel", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    # A worker picking the task up afterwards does nothing.
    assert services.run_optimisation(run.pk) == {"status": "skipped"}
    run.refresh_from_db()
    assert run.result_scenario is None


def test_cancel_while_running_stops_before_saving(world, monkeypatch):
    scenario = builders.scenario()
    run = OptimisationRun.objects.create(
        scenario=scenario, model="mclp", service_type=world["canteen"], new_sites=1
    )
    real_solve = services.solve

    def solve_then_cancel(**kwargs):
        OptimisationRun.objects.filter(pk=run.pk).update(cancel_requested=True)
        return real_solve(**kwargs)

    monkeypatch.setattr(services, "solve", solve_then_cancel)
    assert services.run_optimisation(run.pk) == {"status": "cancelled"}
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert run.result_scenario is None
    assert Scenario.objects.count() == 1


def test_a_failing_solver_is_recorded(world, monkeypatch):
    scenario = builders.scenario()
    run = OptimisationRun.objects.create(
        scenario=scenario, model="mclp", service_type=world["canteen"], new_sites=1
    )

    def broken(**kwargs):
        raise ValueError("p = 9 exceeds the 3 candidates that may be chosen")

    monkeypatch.setattr(services, "solve", broken)
    assert services.run_optimisation(run.pk)["status"] == "failed"
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "exceeds" in run.error
    assert run.finished_at is not None


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_database_backend_queues_the_task(planner_client, world):
    from django_tasks_db.models import DBTaskResult

    scenario = builders.scenario()
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
