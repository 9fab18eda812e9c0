"""Reading a planning page writes nothing: results are computed on read and cached, never saved.

Saving results is a write of its own (the "Evaluate" button, the demo loader); a GET that saved
them would need a writable primary for every page view and would race with other readers.
"""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from scenarios.models import OptimisationRun, RunStatus, ScenarioAddition, ScenarioResult
from scenarios.services import evaluate_scenario
from tests.builders import make_scenario

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")
# Bookkeeping of the login itself, not of the page.
BOOKKEEPING = ("django_session", "axes_")
DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def _writes(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    statements = [q["sql"] for q in ctx.captured_queries]
    return [
        sql
        for sql in statements
        if sql.lstrip().upper().startswith(WRITES) and not any(t in sql for t in BOOKKEEPING)
    ]


def _pages(scenario, other, run) -> list[str]:
    return [
        reverse("scenarios:index"),
        reverse("scenarios:demand_list"),
        reverse("scenarios:demand_detail", args=["canteen"]),
        reverse("scenarios:coverage_list"),
        reverse("scenarios:coverage_detail", args=["canteen"]),
        reverse("scenarios:gaps"),
        reverse("scenarios:gaps") + "?format=csv",
        scenario.get_absolute_url(),
        reverse("scenarios:scenario_service", args=[scenario.pk, "canteen"]),
        reverse("scenarios:compare") + f"?scenarios={scenario.pk}&scenarios={other.pk}",
        run.get_absolute_url(),
        reverse("scenarios:run_status", args=[run.pk]),
    ]


def test_planning_pages_write_nothing(planner_client, world):
    scenario, other = make_scenario(name="One"), make_scenario(name="Two")
    ScenarioAddition.objects.create(scenario=other, site=world["k"], service_type=world["canteen"])
    # A run whose worker is alive: nothing for the pages to end.
    run = OptimisationRun.objects.create(
        scenario=scenario, model="mclp", service_type=world["canteen"], new_sites=1
    )
    OptimisationRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    for url in _pages(scenario, other, run):
        # The first visit finds no saved results, the second the ones the first could have
        # cached: neither saves anything.
        for _visit in range(2):
            assert _writes(planner_client, url) == [], url
    assert not ScenarioResult.objects.exists()


def test_pages_show_fresh_figures_after_inputs_change_without_saving(planner_client, world):
    scenario = make_scenario()
    saved = evaluate_scenario(scenario=scenario)[world["canteen"].pk]
    assert saved.metrics["site_count"] == 2

    world["h"].services.update(status="closed")
    url = reverse("scenarios:scenario_service", args=[scenario.pk, "canteen"])
    assert _writes(planner_client, url) == []
    response = planner_client.get(url)
    assert response.context["metrics"]["site_count"] == 1
    # The saved result is left as it was, for the next deliberate evaluation to replace.
    stored = ScenarioResult.objects.get(pk=saved.pk)
    assert stored.fingerprint == saved.fingerprint
    assert stored.metrics["site_count"] == 2

    detail = planner_client.get(scenario.get_absolute_url())
    result = next(r for r in detail.context["results"] if r.service_type == world["canteen"])
    assert result.metrics["site_count"] == 1


def test_the_evaluate_button_saves_the_fresh_results(planner_client, world):
    scenario = make_scenario()
    planner_client.get(scenario.get_absolute_url())
    assert not ScenarioResult.objects.exists()
    planner_client.post(reverse("scenarios:scenario_evaluate", args=[scenario.pk]))
    stored = ScenarioResult.objects.get(scenario=scenario, service_type=world["canteen"])
    shown = planner_client.get(scenario.get_absolute_url()).context["results"]
    assert next(r for r in shown if r.service_type == world["canteen"]).pk == stored.pk


def test_scenario_pages_answer_without_the_shared_cache(planner_client, world):
    scenario = make_scenario()
    ScenarioAddition.objects.create(
        scenario=scenario, site=world["k"], service_type=world["canteen"]
    )
    url = reverse("scenarios:scenario_service", args=[scenario.pk, "canteen"])
    with override_settings(CACHES=DEAD_REDIS):
        # The session lives in the database, so the login survives the cache being down.
        response = planner_client.get(url)
    assert response.status_code == 200
    assert response.context["metrics"]["share_covered"] == pytest.approx(1.0)
    assert not ScenarioResult.objects.exists()
