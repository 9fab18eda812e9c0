"""The demo scenarios load, are evaluated, and loading again changes nothing."""

import importlib
import io

import pytest

from scenarios import demo
from scenarios.models import Scenario, ScenarioAddition, ScenarioResult

pytestmark = pytest.mark.django_db


def _load_all():
    for name in ("sites.demo", "sites.safety.demo", "surveys.demo", "scenarios.demo"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        module.load(stdout=io.StringIO(), responses=30, seed=7)


def _state():
    return (
        sorted(Scenario.objects.values_list("pk", "name", "updated_at")),
        sorted(ScenarioAddition.objects.values_list("pk", "scenario", "site", "service_type")),
        sorted(ScenarioResult.objects.values_list("pk", "fingerprint", "computed_at")),
        sorted(Scenario.closed_sites.through.objects.values_list("scenario", "site")),
    )


def test_demo_scenarios_are_ready_and_idempotent():
    _load_all()
    names = set(Scenario.objects.values_list("name", flat=True))
    assert {demo.TODAY, demo.OPEN_FOUR, demo.SUBTRACT} <= names
    open_four = Scenario.objects.get(name=demo.OPEN_FOUR)
    subtract = Scenario.objects.get(name=demo.SUBTRACT)
    assert open_four.additions.exists()
    assert subtract.closed_sites.exists()
    assert all(s.has_hazard for s in subtract.closed_sites.all())
    assert ScenarioResult.objects.filter(scenario=open_four).exists()
    before = _state()
    _load_all()
    assert _state() == before
