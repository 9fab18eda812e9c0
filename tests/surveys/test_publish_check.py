"""A survey residents could not complete is not opened: a required choice question without
options blocks it, with the question named."""

import pytest
from django.urls import reverse

from surveys.models import QuestionKind, SurveyStatus
from tests.builders import make_question, make_survey

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
