"""A scenario addition posted twice: a double click stores one addition and answers calmly."""

from unittest import mock

import pytest
from django.db import IntegrityError
from django.urls import reverse

from scenarios import services
from scenarios.models import ScenarioAddition
from tests.builders import make_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    scenario = make_scenario()
    url = reverse("scenarios:addition_create", args=[scenario.pk])
    data = {"site": world["k"].pk, "service_type": world["canteen"].pk, "floor_area_m2": "10"}
    return scenario, url, data


def test_a_double_clicked_addition_is_stored_once(planner_client, plan):
    scenario, url, data = plan
    first = planner_client.post(url, data)
    second = planner_client.post(url, data)
    assert first.status_code == 302 and second.status_code == 302
    assert second["Location"] == scenario.get_absolute_url()
    assert ScenarioAddition.objects.filter(scenario=scenario).count() == 1


def test_the_second_click_says_the_service_was_already_added(planner_client, english, plan):
    _scenario, url, data = plan
    planner_client.post(url, data)
    page = planner_client.post(url, data, follow=True)
    assert "already" in page.content.decode()


def test_the_same_addition_with_other_figures_is_a_form_error(planner_client, english, plan):
    scenario, url, data = plan
    planner_client.post(url, data)
    page = planner_client.post(url, {**data, "floor_area_m2": "20"})
    assert page.status_code == 200
    assert "The scenario already adds this service here." in page.content.decode()
    assert ScenarioAddition.objects.get(scenario=scenario).floor_area_m2 == 10


def test_an_addition_stored_by_a_concurrent_request_is_returned_not_a_server_error(world, plan):
    scenario, _url, _data = plan
    fields = {"scenario": scenario, "site": world["k"], "service_type": world["canteen"]}
    earlier = ScenarioAddition.objects.create(**fields)
    real_filter = ScenarioAddition.objects.filter
    calls = []

    def filter_missing_the_first_time(*args, **kwargs):
        # The other request commits between this request's check and its insert.
        calls.append(kwargs)
        queryset = real_filter(*args, **kwargs)
        return queryset.none() if len(calls) == 1 else queryset

    with (
        mock.patch.object(ScenarioAddition.objects, "filter", filter_missing_the_first_time),
        mock.patch.object(ScenarioAddition, "full_clean"),
    ):
        addition, created = services.add_to_scenario(**fields)
    assert (addition.pk, created) == (earlier.pk, False)
    assert ScenarioAddition.objects.filter(scenario=scenario).count() == 1


def test_an_integrity_error_that_is_no_duplicate_is_not_swallowed(world, plan):
    scenario, _url, _data = plan
    with (
        mock.patch.object(ScenarioAddition, "save", side_effect=IntegrityError("other")),
        pytest.raises(IntegrityError),
    ):
        services.add_to_scenario(scenario=scenario, site=world["k"], service_type=world["canteen"])
