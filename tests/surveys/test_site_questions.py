"""A question about what one site should offer is a preference, not need across the street: its
service choices do not count as demand (issue #18)."""

import pytest

from sites.models import Area
from surveys import demo
from surveys.demand import demand_table
from surveys.models import QuestionKind, QuestionMeasures, Survey
from tests.builders import (
    make_area,
    make_need_question,
    make_question,
    make_responses,
    make_service_type,
    make_survey,
)

pytestmark = pytest.mark.django_db


def site_question(survey, services):
    question = make_question(
        survey,
        QuestionKind.MULTIPLE,
        choices=[{"label": s.name_zh, "service_type": s} for s in services],
        text="天龙生活盒子应提供哪些服务？",
        measures=QuestionMeasures.SITE,
    )
    return {c.service_type.code: c for c in question.choices.select_related("service_type")}


def canteen_row(canteen, area):
    return next(r for r in demand_table(service_types=[canteen]) if r.area == area)


def test_site_question_choices_are_not_need():
    canteen = make_service_type("canteen", target_group="all", age_band="all")
    area = make_area()
    survey = make_survey()
    box = site_question(survey, [canteen])
    need = make_need_question(survey, [canteen])
    make_responses(survey, 3, area=area, choices=[box["canteen"], need["canteen"]])
    make_responses(survey, 7, area=area, choices=[box["canteen"]])

    row = canteen_row(canteen, area)
    assert (row.respondents, row.choosers) == (10, 3)
    assert row.questions == ("你需要哪些服务?",)


def test_a_survey_with_only_a_site_question_measured_no_need():
    canteen = make_service_type(
        "canteen", target_group="all", age_band="all", per_thousand_places=None
    )
    area = make_area()
    survey = make_survey()
    box = site_question(survey, [canteen])
    make_responses(survey, 5, area=area, choices=[box["canteen"]])

    row = canteen_row(canteen, area)
    assert row.source == "none"
    assert row.choosers == 0
    assert row.questions == ()


def test_the_demo_reads_need_from_its_need_question_not_the_tianlong_one():
    make_area(code="tianlong", population_total=4000, population_elderly=1200)
    make_area(code="lingling", population_total=3000, population_elderly=900)

    demo.load(stdout=open("/dev/null", "w"), responses=60, seed=7)  # noqa: SIM115

    survey = Survey.objects.get(slug=demo.SLUG)
    assert survey.illustrative
    tianlong = survey.questions.get(text_en="Which services should the Tianlong life box offer?")
    assert tianlong.measures == QuestionMeasures.SITE
    need = survey.questions.filter(
        measures=QuestionMeasures.NEED, choices__service_type__isnull=False
    )
    assert need.distinct().count() == 1
    canteen = make_service_type("canteen")
    rows = [r for r in demand_table(service_types=[canteen]) if r.area in Area.objects.all()]
    assert rows and all(r.source == "survey" and r.illustrative for r in rows)
    assert tianlong.display_text not in rows[0].questions
