"""The planning pages make as many queries at 10,000 responses as at 10."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.models import Response
from tests.builders import make_responses, make_scenario

pytestmark = pytest.mark.django_db


def _urls(scenarios) -> list[str]:
    return [
        reverse("scenarios:demand_list"),
        reverse("scenarios:demand_detail", args=["canteen"]),
        reverse("scenarios:coverage_list"),
        reverse("scenarios:coverage_detail", args=["canteen"]),
        reverse("scenarios:gaps"),
        reverse("scenarios:gaps") + "?format=csv",
        scenarios[0].get_absolute_url(),
        reverse("scenarios:scenario_service", args=[scenarios[0].pk, "canteen"]),
        reverse("scenarios:compare") + f"?scenarios={scenarios[0].pk}&scenarios={scenarios[1].pk}",
    ]


def _visit(client, urls) -> dict[str, tuple[int, int]]:
    """Queries per page: first visit (saved results stale) and second visit (fresh)."""
    counts = {}
    for url in urls:
        visits = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, url
            visits.append(len(ctx))
        counts[url] = tuple(visits)
    return counts


def test_query_counts_do_not_grow_with_responses(
    planner_client, world, django_assert_max_num_queries
):
    scenarios = [make_scenario(name="One"), make_scenario(name="Two")]
    urls = _urls(scenarios)
    assert Response.objects.count() == 10
    small = _visit(planner_client, urls)

    make_responses(world["survey"], 9_990, area=world["areas"]["C"], choices=[world["choice"]])
    assert Response.objects.count() == 10_000
    large = _visit(planner_client, urls)
    assert large == small

    for url in urls:
        with django_assert_max_num_queries(max(small[url])):
            planner_client.get(url)
