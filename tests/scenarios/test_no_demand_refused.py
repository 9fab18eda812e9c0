"""Optimising a service for which no demand was measured is refused with the reason, instead of
"solving" it to an objective of 0 and calling that optimal."""

import pytest
from django.urls import reverse

from scenarios.models import OptimisationRun
from tests.builders import make_scenario, make_service_type

pytestmark = pytest.mark.django_db


def post_optimise(client, scenario, service):
    form = {"service": service, "model": "mclp", "new_sites": "1", "method": "auto"}
    form["time_limit_s"] = "10"
    return client.post(reverse("scenarios:scenario_optimise", args=[scenario.pk]), form)


def test_a_service_no_survey_asked_about_is_refused(planner_client, world):
    make_service_type("laundry", name_zh="洗衣房", threshold_m=500, level="10min")
    scenario = make_scenario(name="Base")

    page = post_optimise(planner_client, scenario, "laundry")

    assert page.status_code == 200
    errors = page.context["form"].non_field_errors()
    assert len(errors) == 1 and "洗衣房" in errors[0]
    assert "洗衣房" in page.content.decode()
    assert not OptimisationRun.objects.exists()


def test_a_service_with_measured_demand_still_runs(planner_client, world):
    scenario = make_scenario(name="Base")
    page = post_optimise(planner_client, scenario, "canteen")
    assert page.status_code == 302
    assert OptimisationRun.objects.count() == 1
