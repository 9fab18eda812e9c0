"""The demand pages put the question's wording, the group, the population basis and the source
beside each figure, say "not measured" rather than 0, and say when figures are illustrative
(issue #18)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from sites.models import Area
from surveys.models import Survey
from tests.builders import make_area, make_service_type

pytestmark = pytest.mark.django_db


def detail(client, code):
    return client.get(reverse("scenarios:demand_detail", args=[code])).content.decode()


def test_the_question_wording_stands_beside_the_figure(planner_client, world):
    html = detail(planner_client, "canteen")
    assert "“你需要哪些服务?”" in html
    listing = planner_client.get(reverse("scenarios:demand_list")).content.decode()
    assert "“你需要哪些服务?”" in listing


def test_the_group_and_population_basis_are_stated(english, planner, world):
    english.force_login(planner)
    html = detail(english, "canteen")
    assert "“Question 1”" in html  # the question's English wording
    assert "all respondents: the surveys used did not ask" in html
    assert "residents aged 60 or over" in html


def test_a_service_measured_by_nothing_says_not_measured(english, planner, world):
    make_service_type("laundry", per_thousand_places=None, per_thousand_m2=None, age_band="all")
    english.force_login(planner)
    html = detail(english, "laundry")
    assert "Not measured" in html
    assert 'id="demand-map"' not in html  # no map of zeros
    listing = english.get(reverse("scenarios:demand_list"))
    laundry = next(s for s in listing.context["summaries"] if s.service_type.code == "laundry")
    assert laundry.demand is None
    assert "not measured" in listing.content.decode()


def test_the_standard_fallback_is_marked(english, planner, world):
    make_service_type("nursery", age_band="0-3", per_thousand_places=Decimal("4.5"))
    english.force_login(planner)
    html = detail(english, "nursery")
    assert "from the standard&#x27;s per-1,000 ratio (unconfirmed)" in html
    assert "4.5 places" in html


def test_illustrative_only_on_demo_data(english, planner, world):
    english.force_login(planner)
    Area.objects.update(illustrative=False)
    assert 'id="demand-illustrative"' not in detail(english, "canteen")

    Survey.objects.filter(pk=world["survey"].pk).update(illustrative=True)
    assert 'id="demand-illustrative"' in detail(english, "canteen")
    listing = english.get(reverse("scenarios:demand_list")).content.decode()
    assert 'id="demand-illustrative"' in listing

    Survey.objects.update(illustrative=False)
    make_area(illustrative=True)
    assert 'id="demand-illustrative"' in detail(english, "canteen")
