"""Who may open the planning pages: viewing needs view_scenario, changes add/change_scenario."""

import pytest
from django.urls import reverse

from scenarios.models import OptimisationRun, Scenario
from tests.builders import make_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(world):
    scenario = make_scenario(name="Plan")
    run = OptimisationRun.objects.create(
        scenario=scenario, model="mclp", service_type=world["canteen"], new_sites=1
    )
    return {"scenario": scenario, "run": run}


def view_urls(objects):
    pk, run = objects["scenario"].pk, objects["run"].pk
    return [
        reverse("scenarios:index"),
        reverse("scenarios:demand_list"),
        reverse("scenarios:demand_detail", args=["canteen"]),
        reverse("scenarios:coverage_list"),
        reverse("scenarios:coverage_detail", args=["canteen"]),
        reverse("scenarios:gaps"),
        reverse("scenarios:compare"),
        reverse("scenarios:scenario_detail", args=[pk]),
        reverse("scenarios:scenario_service", args=[pk, "canteen"]),
        reverse("scenarios:run_detail", args=[run]),
        reverse("scenarios:run_status", args=[run]),
    ]


def change_urls(objects):
    pk = objects["scenario"].pk
    return [
        reverse("scenarios:scenario_create"),
        reverse("scenarios:scenario_update", args=[pk]),
        reverse("scenarios:addition_create", args=[pk]),
        reverse("scenarios:scenario_optimise", args=[pk]),
    ]


def post_urls(objects):
    pk = objects["scenario"].pk
    return [
        reverse("scenarios:scenario_evaluate", args=[pk]),
        reverse("scenarios:run_cancel", args=[objects["run"].pk]),
    ]


def test_anonymous_users_are_sent_to_login(client, objects):
    for url in view_urls(objects) + change_urls(objects):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_staff_without_the_permission_get_403(outsider_client, objects):
    for url in view_urls(objects) + change_urls(objects):
        assert outsider_client.get(url).status_code == 403, url
    for url in post_urls(objects):
        assert outsider_client.post(url).status_code == 403, url


def test_viewers_see_but_cannot_change(viewer_client, objects):
    for url in view_urls(objects):
        assert viewer_client.get(url).status_code == 200, url
    for url in change_urls(objects):
        assert viewer_client.get(url).status_code == 403, url
    for url in post_urls(objects):
        assert viewer_client.post(url).status_code == 403, url
    response = viewer_client.post(reverse("scenarios:scenario_create"), {"name": "Sneaky"})
    assert response.status_code == 403
    assert not Scenario.objects.filter(name="Sneaky").exists()


def test_planners_may_change(planner_client, objects):
    for url in view_urls(objects) + change_urls(objects):
        assert planner_client.get(url).status_code == 200, url
