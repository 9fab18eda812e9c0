"""A service nothing measured says "not measured" on the coverage pages, never 0."""

import pytest
from django.urls import reverse

from tests.builders import make_service_type

pytestmark = pytest.mark.django_db


def test_a_service_no_survey_asked_about_is_not_measured(english, planner, world):
    make_service_type("x_laundry", threshold_m=300, target_group="all", level="5min")
    english.force_login(planner)
    detail = english.get(reverse("scenarios:coverage_detail", args=["x_laundry"]))
    metrics = detail.context["metrics"]
    assert metrics["demand_measured"] is False
    page = detail.content.decode()
    assert "not measured" in page
    assert "Unmet demand</th><td>0.0" not in page
    listing = english.get(reverse("scenarios:coverage_list")).content.decode()
    row = listing.split("X Laundry", 1)[1].split("</tr>", 1)[0]
    assert "not measured" in row and ">0.0<" not in row


def test_a_measured_service_shows_its_figures(english, planner, world):
    english.force_login(planner)
    metrics = english.get(reverse("scenarios:coverage_detail", args=["canteen"])).context["metrics"]
    assert metrics["demand_measured"] is True and metrics["total_demand"] > 0
