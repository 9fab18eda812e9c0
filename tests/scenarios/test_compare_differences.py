"""The comparison marks what differs between scenarios, and can show only that."""

import pytest
from django.urls import reverse

from scenarios import services
from tests.builders import make_scenario

pytestmark = pytest.mark.django_db


def compare(client, *scenarios, **extra):
    url = reverse("scenarios:compare")
    return client.get(url, {"scenarios": [s.pk for s in scenarios], **extra})


def test_rows_that_differ_are_marked_and_others_not(planner_client, planner, world):
    base = make_scenario(name="Base")
    closing = services.copy_scenario(scenario=base, name="Without S1", user=planner)
    closing.closed_sites.add(world["s1"])
    data = compare(planner_client, base, closing).context["data"]
    differs = {row["service_type"].code: row["differs"] for row in data["rows"]}
    assert differs["canteen"] is True  # closing S1 leaves area A without a canteen
    assert any(flag is False for code, flag in differs.items() if code != "canteen")
    groups = {str(row["group"]): row["differs"] for row in data["group_rows"]}
    assert groups["elderly"] is True


def test_only_the_differences_on_request(planner_client, planner, world):
    base = make_scenario(name="Base")
    closing = services.copy_scenario(scenario=base, name="Without S1", user=planner)
    closing.closed_sites.add(world["s1"])
    every = compare(planner_client, base, closing).content.decode()
    only = compare(planner_client, base, closing, only="differences").content.decode()
    same = next(
        row["service_type"].name
        for row in compare(planner_client, base, closing).context["data"]["rows"]
        if not row["differs"]
    )
    assert same in every and same not in only.split('id="compare-coverage"')[1]
    assert 'class="differs"' in only
