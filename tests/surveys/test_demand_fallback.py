"""Where no survey measured a service, demand comes from the standard's per-1,000-resident ratio,
marked as such; where neither exists it is "not measured", never 0 (issue #18)."""

from decimal import Decimal

import pytest
from django.utils import translation

from surveys.demand import demand_table
from surveys.models import QuestionKind, RespondentGroup
from tests.builders import (
    make_area,
    make_need_question,
    make_question,
    make_responses,
    make_service_type,
    make_survey,
)


@pytest.fixture(autouse=True)
def _in_english():
    """The assertions read the English labels and messages."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


@pytest.fixture
def services():
    return {
        "canteen": make_service_type("canteen", target_group="elderly", age_band="60+"),
        "nursery": make_service_type(
            "nursery", target_group="children", age_band="0-3", per_thousand_places=Decimal("4.5")
        ),
        "day_care": make_service_type(
            "elderly_day_care",
            target_group="elderly",
            age_band="60+",
            per_thousand_places=None,
            per_thousand_m2=Decimal("50"),
        ),
        "laundry": make_service_type(
            "laundry", per_thousand_places=None, per_thousand_m2=None, age_band="all"
        ),
    }


def row(service, area):
    return next(r for r in demand_table(service_types=[service]) if r.area == area)


def test_a_service_no_survey_asked_about_falls_back_to_the_standard(services):
    area = make_area(population_total=6000)
    survey = make_survey()
    want = make_need_question(survey, [services["canteen"]])
    make_responses(survey, 5, area=area, choices=[want["canteen"]])

    nursery = row(services["nursery"], area)
    assert nursery.source == "standard"
    assert nursery.demand == pytest.approx(4.5 * 6000 / 1000)
    assert nursery.measured == nursery.demand > 0
    assert nursery.unit == "places"
    assert nursery.standard_ratio == pytest.approx(4.5)
    assert "per-1,000" in str(nursery.source_label)
    assert nursery.group == "children"  # whose need it is, though no survey measured it

    day_care = row(services["day_care"], area)
    assert (day_care.source, day_care.unit) == ("standard", "m2")
    assert day_care.demand == pytest.approx(50 * 6000 / 1000)

    assert row(services["canteen"], area).source == "survey"


def test_no_respondent_of_the_group_means_the_survey_measured_nothing(services):
    """The survey offers the nursery and asks about the household, but no household with
    children answered: the standard stands in."""
    area = make_area(population_total=2000)
    survey = make_survey()
    make_question(
        survey,
        QuestionKind.MULTIPLE,
        choices=[{"label": "儿童", "respondent_group": RespondentGroup.CHILDREN}, "无"],
    )
    want = make_need_question(survey, [services["nursery"]])
    make_responses(survey, 4, area=area, choices=[want["nursery"]])  # no children at home
    nursery = row(services["nursery"], area)
    assert nursery.source == "standard"
    assert nursery.demand == pytest.approx(4.5 * 2000 / 1000)


def test_a_service_with_neither_is_not_measured(services):
    area = make_area()
    laundry = row(services["laundry"], area)
    assert laundry.source == "none"
    assert laundry.measured is None
    assert laundry.demand == 0.0


def test_an_area_without_a_population_has_no_standard_figure(services):
    area = make_area(population_total=None, population_elderly=None)
    nursery = row(services["nursery"], area)
    assert nursery.source == "none"
    assert nursery.measured is None
