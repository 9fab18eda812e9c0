"""Need by group: a service's rate is measured over the households it is for, and multiplied by
the population of its age band (issue #18)."""

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

pytestmark = pytest.mark.django_db


def household_question(survey):
    """The question that sorts respondents into groups (the demo's "does your household
    include")."""
    return make_question(
        survey,
        QuestionKind.MULTIPLE,
        choices=[
            {"label": "老人", "respondent_group": RespondentGroup.ELDERLY},
            {"label": "儿童", "respondent_group": RespondentGroup.CHILDREN},
            {"label": "无"},
        ],
    )


@pytest.fixture
def case():
    """Elderly households want a canteen far more often than the others.

    A: 20 elderly households, 14 want it (70%); 30 others, 10 want it.
    B: 30 elderly households, 22 want it (73%); 30 others, 10 want it.
    Street: elderly 36/50 = 72%, others 20/60 = 33%, everyone 56/110 = 51%.
    """
    canteen = make_service_type("canteen", target_group="elderly", age_band="60+")
    nursery = make_service_type("nursery", target_group="children", age_band="0-3")
    a = make_area(code="a", population_elderly=1000, population_children_0_6=700)
    b = make_area(code="b", population_elderly=500, population_children_0_6=350)
    survey = make_survey()
    household_question(survey)
    want = make_need_question(survey, [canteen, nursery])
    for area, elderly_yes, elderly_no in [(a, 14, 6), (b, 22, 8)]:
        make_responses(survey, elderly_yes, area=area, choices=[want["canteen"]], has_elderly=True)
        make_responses(survey, elderly_no, area=area, has_elderly=True)
        make_responses(survey, 10, area=area, choices=[want["canteen"]])
        make_responses(survey, 20, area=area)
    # Children households: 6 of 8 in A want the nursery, none of the 2 in B.
    make_responses(survey, 6, area=a, choices=[want["nursery"]], has_children=True)
    make_responses(survey, 2, area=a, has_children=True)
    make_responses(survey, 2, area=b, has_children=True)
    return {"canteen": canteen, "nursery": nursery, "a": a, "b": b}


def rows_for(service):
    return {r.area.code: r for r in demand_table(service_types=[service])}


def test_an_elderly_service_counts_elderly_households_only(case):
    rows = rows_for(case["canteen"])
    street = 36 / 50
    a = rows["a"]
    assert a.group == RespondentGroup.ELDERLY
    assert (a.respondents, a.choosers) == (20, 14)
    assert a.street_rate == pytest.approx(0.72)
    assert a.rate == pytest.approx((10 * street + 14) / (10 + 20))
    assert a.demand == pytest.approx((10 * street + 14) / (10 + 20) * 1000)
    assert rows["b"].rate == pytest.approx((10 * street + 22) / (10 + 30))
    assert rows["b"].demand == pytest.approx((10 * street + 22) / (10 + 30) * 500)
    assert a.source == "survey"
    assert a.street_rate != pytest.approx(56 / 110)  # not the pooled rate


def test_the_nursery_uses_the_0_to_3_population(case):
    rows = rows_for(case["nursery"])
    a = rows["a"]
    street = 6 / 10  # 6 of the 8 + 2 households with children
    assert a.group == RespondentGroup.CHILDREN
    assert (a.respondents, a.choosers) == (8, 6)
    assert a.population == pytest.approx(700 * 4 / 7)
    assert "4/7" in str(a.population_basis)
    assert a.demand == pytest.approx((10 * street + 6) / (10 + 8) * 400)
    with translation.override("en"):
        assert "age band of the service not asked" in str(a.group_label)
    assert rows["b"].population == pytest.approx(200)


def test_school_age_band_takes_a_share_of_both_childrens_figures(case):
    after_school = make_service_type("after_school", target_group="children", age_band="6-12")
    survey = make_survey()
    household_question(survey)
    want = make_need_question(survey, [after_school])
    make_responses(survey, 3, area=case["a"], choices=[want["after_school"]], has_children=True)
    a = rows_for(after_school)["a"]
    # Builder default: 400 children 7–14; the area has 700 children 0–6.
    assert a.population == pytest.approx(700 / 7 + 400 * 6 / 8)


def test_without_a_household_question_every_respondent_counts_and_says_so():
    canteen = make_service_type("canteen", target_group="elderly", age_band="60+")
    area = make_area(code="x", population_elderly=800)
    survey = make_survey()
    want = make_need_question(survey, [canteen])
    make_responses(survey, 3, area=area, choices=[want["canteen"]])
    make_responses(survey, 1, area=area)
    row = rows_for(canteen)["x"]
    assert row.group == "all"
    assert (row.respondents, row.choosers) == (4, 3)
    with translation.override("en"):
        assert "did not ask" in str(row.group_label)


def test_the_question_wording_comes_with_the_figure(case):
    row = rows_for(case["canteen"])["a"]
    assert row.questions == ("你需要哪些服务?",)
