"""A survey residents could not complete is not opened: a required choice question without
options, a condition reading a later or removed question or option, and limits no answer can
meet block it, with the question named; warnings are shown but do not block."""

from decimal import Decimal

import pytest
from django.urls import reverse

from surveys.models import QuestionKind, SurveyStatus
from surveys.publish import check_survey
from surveys.selectors import questions_for
from tests.builders import make_condition, make_question, make_survey

pytestmark = pytest.mark.django_db


def open_survey(client, survey):
    url = reverse("surveys:survey_status", args=[survey.pk])
    return client.post(url, {"status": SurveyStatus.OPEN}, follow=True)


def test_a_required_choice_without_options_blocks_opening(planner_client):
    survey = make_survey(status=SurveyStatus.DRAFT)
    make_question(survey, QuestionKind.SINGLE, text="您常去哪个食堂？", choices=[])

    page = open_survey(planner_client, survey)

    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT
    shown = " ".join(str(m) for m in page.context["messages"])
    assert "您常去哪个食堂？" in shown


def test_an_optional_choice_without_options_does_not_block(planner_client):
    survey = make_survey(status=SurveyStatus.DRAFT)
    make_question(survey, QuestionKind.MULTIPLE, choices=[], required=False)
    open_survey(planner_client, survey)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN


def test_a_required_choice_with_options_opens(planner_client):
    survey = make_survey(status=SurveyStatus.DRAFT)
    make_question(survey, QuestionKind.SINGLE, choices=["是", "否"])
    open_survey(planner_client, survey)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN


def test_a_condition_on_a_later_question_blocks(planner_client):
    survey = make_survey(status=SurveyStatus.DRAFT)
    first = make_question(survey, QuestionKind.TEXT, text="第一题")
    later = make_question(survey, QuestionKind.NUMBER, text="第二题")
    make_condition(first, later, "greater_than", 2)

    page = open_survey(planner_client, survey)

    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT
    shown = " ".join(str(m) for m in page.context["messages"])
    assert "第一题" in shown and "第二题" in shown


def test_a_condition_on_a_removed_question_blocks(planner_client):
    survey = make_survey(status=SurveyStatus.DRAFT)
    source = make_question(survey, QuestionKind.SINGLE, choices=["是", "否"])
    follow = make_question(survey, QuestionKind.TEXT)
    make_condition(follow, source, "equals", source.choices.first())
    source.archived = True
    source.save()
    assert check_survey(survey).blocking
    open_survey(planner_client, survey)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT


def test_a_condition_on_a_removed_option_blocks():
    survey = make_survey(status=SurveyStatus.DRAFT)
    source = make_question(survey, QuestionKind.SINGLE, choices=["是", "否", "不清楚"])
    follow = make_question(survey, QuestionKind.TEXT)
    gone = source.choices.last()
    make_condition(follow, source, "equals", gone)
    assert not check_survey(survey).blocking
    gone.archived = True
    gone.save()
    [problem] = check_survey(survey).blocking
    assert problem.question == follow and "不清楚" in str(problem)


@pytest.mark.parametrize(
    ("low", "high", "integer_only", "blocks"),
    [
        ("1", "12", True, False),
        ("2.2", "2.8", True, True),  # no whole number fits
        ("2.2", "2.8", False, False),
        ("3", "3", True, False),
    ],
)
def test_contradictory_number_limits_block(low, high, integer_only, blocks):
    survey = make_survey(status=SurveyStatus.DRAFT)
    make_question(
        survey,
        QuestionKind.NUMBER,
        min_value=Decimal(low),
        max_value=Decimal(high),
        integer_only=integer_only,
    )
    assert bool(check_survey(survey).blocking) is blocks


def test_min_above_max_blocks_even_when_stored():
    # The database refuses min > max; a check that is not confused by it still reports it.
    survey = make_survey(status=SurveyStatus.DRAFT)
    question = make_question(survey, QuestionKind.NUMBER)
    question.min_value, question.max_value = Decimal(5), Decimal(1)
    questions = questions_for(survey, include_archived=True)
    questions[0].min_value, questions[0].max_value = Decimal(5), Decimal(1)
    assert check_survey(survey, questions).blocking


def test_warnings_do_not_block(planner_client):
    survey = make_survey(status=SurveyStatus.DRAFT)
    make_question(survey, QuestionKind.SINGLE, choices=["唯一"], text_en="")  # two warnings
    make_question(survey, QuestionKind.MULTIPLE, choices=["a", "b"], max_choices=5)
    check = check_survey(survey)
    assert not check.blocking
    assert len(check.warnings) >= 4  # one option, no English, limit too high, no area
    open_survey(planner_client, survey)
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN


def test_the_survey_page_shows_each_problem_beside_its_question(planner_client, english):
    survey = make_survey(status=SurveyStatus.DRAFT)
    broken = make_question(survey, QuestionKind.SINGLE, choices=[], text_en="Which canteen?")
    html = planner_client.get(survey.get_absolute_url()).content.decode()
    assert 'id="publish-blocked"' in html
    beside = html.split(f'id="problems-{broken.pk}"')[1].split("</ul>")[0]
    assert "Must fix" in beside and "without options" in beside
