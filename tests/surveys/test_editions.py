"""Editions: opening a survey records its first edition; editing the questions of a published
survey records the next; each response keeps the edition it answered; exports say which."""

import csv
import io
import uuid

import pytest
from django.urls import reverse

from surveys import services
from surveys.forms import Submission
from surveys.models import Response, SurveyEdition, SurveyStatus
from tests.builders import make_question, make_survey

pytestmark = pytest.mark.django_db


def submit(survey):
    survey.refresh_from_db()
    return services.submit_response(
        survey=survey, submission=Submission(), idempotency_key=uuid.uuid4()
    ).response


def edit_text(client, question, text):
    data = {"text": text, "text_en": question.text_en, "required": "on"}
    page = client.post(reverse("surveys:question_edit", args=[question.pk]), data)
    assert page.status_code == 302, page.content.decode()[:500]


@pytest.fixture
def opened(planner_client):
    survey = make_survey(status=SurveyStatus.DRAFT)
    question = make_question(survey, "text", text="建议")
    planner_client.post(reverse("surveys:survey_status", args=[survey.pk]), {"status": "open"})
    survey.refresh_from_db()
    return survey, question


def test_opening_records_the_first_edition(opened):
    survey, question = opened
    assert survey.edition == 1
    [first] = survey.editions.all()
    assert first.number == 1 and first.questions[0]["text"] == "建议"


def test_editing_an_open_survey_bumps_the_edition_and_responses_keep_theirs(planner_client, opened):
    survey, question = opened
    before = submit(survey)
    edit_text(planner_client, question, "您的建议")
    survey.refresh_from_db()
    assert survey.edition == 2
    after = submit(survey)
    assert (before.edition, after.edition) == (1, 2)
    assert [e.questions[0]["text"] for e in survey.editions.order_by("number")] == [
        "建议",
        "您的建议",
    ]


def test_saving_without_a_change_records_nothing(planner_client, opened):
    survey, question = opened
    edit_text(planner_client, question, question.text)
    survey.refresh_from_db()
    assert survey.edition == 1 and survey.editions.count() == 1


def test_editing_a_draft_records_no_edition(planner_client):
    survey = make_survey(status=SurveyStatus.DRAFT)
    question = make_question(survey, "text")
    edit_text(planner_client, question, "改过")
    assert not SurveyEdition.objects.exists()


def test_removing_and_restoring_a_question_are_editions(planner_client, opened):
    survey, question = opened
    make_question(survey, "text", text="另一题")
    planner_client.post(reverse("surveys:question_remove", args=[question.pk]))
    planner_client.post(reverse("surveys:question_restore", args=[question.pk]))
    survey.refresh_from_db()
    # Adding (made here without the builder) is caught by the next recorded change.
    assert survey.edition == 3


def test_a_survey_opened_before_editions_keeps_its_questions_as_the_first(planner_client):
    survey = make_survey()  # open, no edition recorded
    question = make_question(survey, "text", text="旧的")
    edit_text(planner_client, question, "新的")
    editions = list(survey.editions.order_by("number"))
    assert [(e.number, e.questions[0]["text"]) for e in editions] == [(1, "旧的"), (2, "新的")]


def test_the_export_has_an_edition_column(planner_client, opened, english):
    survey, question = opened
    submit(survey)
    edit_text(planner_client, question, "您的建议")
    submit(survey)
    page = planner_client.get(reverse("surveys:survey_export_csv", args=[survey.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(page.streaming_content).decode("utf-8-sig"))))
    header = next(r for r in rows if "edition" in r)
    column = header.index("edition")
    body = rows[rows.index(header) + 1 :]
    assert sorted(r[column] for r in body) == ["1", "2"]


def test_the_survey_page_lists_editions_with_their_responses(planner_client, opened, english):
    survey, question = opened
    submit(survey)
    edit_text(planner_client, question, "您的建议")
    html = planner_client.get(survey.get_absolute_url()).content.decode()
    assert 'id="editions"' in html
    assert Response.objects.filter(edition=1).count() == 1


def test_results_say_they_combine_editions(planner_client, opened, english):
    survey, question = opened
    page = planner_client.get(reverse("surveys:survey_results", args=[survey.pk]))
    assert 'id="results-editions"' not in page.content.decode()
    edit_text(planner_client, question, "您的建议")
    page = planner_client.get(reverse("surveys:survey_results", args=[survey.pk]))
    assert "editions 1 to 2" in page.content.decode()
