"""The survey builder pages: create, add questions with choices, reorder, archive, open."""

import pytest
from django.urls import reverse

from surveys.models import Choice, Question, Survey, SurveyStatus
from tests.builders import (
    make_full_survey,
    make_question,
    make_responses,
    make_service_type,
    make_site,
    make_survey,
    valid_post,
)

pytestmark = pytest.mark.django_db


def _choice_formset(rows: list[dict], initial: int = 0) -> dict:
    data = {
        "choices-TOTAL_FORMS": str(len(rows)),
        "choices-INITIAL_FORMS": str(initial),
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"choices-{i}-{key}"] = value
    return data


def test_planner_creates_a_survey_and_a_choice_question(planner_client):
    page = planner_client.post(
        reverse("surveys:survey_create"), {"title": "需求调查", "slug": "needs"}
    )
    survey = Survey.objects.get()
    assert page["Location"] == survey.get_absolute_url()
    assert survey.status == SurveyStatus.DRAFT
    canteen = make_service_type("canteen")
    data = {"kind": "multiple", "text": "需要什么？", "required": "on", "max_choices": "2"}
    data |= _choice_formset(
        [
            {"label": "食堂", "service_type": str(canteen.pk)},
            {"label": "托育"},
            {"label": ""},  # an empty extra row is ignored
        ]
    )
    page = planner_client.post(reverse("surveys:question_create", args=[survey.pk]), data)
    assert page.status_code == 302, page.content.decode()[:2000]
    question = Question.objects.get()
    assert [c.label for c in question.choices.order_by("order")] == ["食堂", "托育"]
    assert question.choices.get(label="食堂").service_type == canteen


def test_choice_cannot_both_express_a_need_and_rate_a_site(planner_client):
    survey = make_survey()
    data = {"kind": "single", "text": "Q", "required": "on"}
    data |= _choice_formset(
        [
            {
                "label": "x",
                "service_type": str(make_service_type("canteen").pk),
                "site": str(make_site().pk),
            }
        ]
    )
    page = planner_client.post(reverse("surveys:question_create", args=[survey.pk]), data)
    assert page.status_code == 200
    assert not Question.objects.exists()


def test_removing_a_choice_of_an_answered_survey_archives_it(planner_client):
    survey = make_survey()
    q = make_question(survey, "single", choices=["a", "b"])
    a, b = q.choices.order_by("order")
    make_responses(survey, 1, choices=[a])
    data = {"kind": "single", "text": q.text, "required": "on"}
    data |= _choice_formset(
        [{"id": str(a.pk), "label": "a"}, {"id": str(b.pk), "label": "b", "DELETE": "on"}],
        initial=2,
    )
    page = planner_client.post(reverse("surveys:question_edit", args=[q.pk]), data)
    assert page.status_code == 302
    assert Choice.objects.get(pk=b.pk).archived
    assert Choice.objects.count() == 2


def test_the_kind_of_an_answered_question_is_fixed(planner_client):
    survey = make_survey()
    q = make_question(survey, "single", choices=["a"])
    make_responses(survey, 1, choices=[q.choices.get()])
    data = {"kind": "text", "text": "changed", "required": "on"}
    data |= _choice_formset([{"id": str(q.choices.get().pk), "label": "a"}], initial=1)
    planner_client.post(reverse("surveys:question_edit", args=[q.pk]), data)
    q.refresh_from_db()
    assert q.kind == "single"


def test_only_one_area_question_per_survey(planner_client):
    survey = make_survey()
    make_question(survey, "area")
    data = {"kind": "area", "text": "again"} | _choice_formset([])
    page = planner_client.post(reverse("surveys:question_create", args=[survey.pk]), data)
    assert page.status_code == 200
    assert survey.questions.count() == 1


def test_remove_move_and_status_buttons(planner_client):
    survey = make_survey(status=SurveyStatus.DRAFT)
    first = make_question(survey, "text")
    second = make_question(survey, "text")
    planner_client.post(reverse("surveys:question_move", args=[second.pk]), {"direction": "up"})
    assert list(survey.questions.order_by("order")) == [second, first]
    planner_client.post(reverse("surveys:survey_status", args=[survey.pk]), {"status": "open"})
    survey.refresh_from_db()
    assert survey.is_accepting()
    planner_client.post(reverse("surveys:question_remove", args=[first.pk]))
    assert Question.objects.get(pk=first.pk).archived


def test_detail_page_shows_the_change_history(planner_client, planner):
    planner_client.post(reverse("surveys:survey_create"), {"title": "历史", "slug": "history"})
    survey = Survey.objects.get()
    page = planner_client.get(survey.get_absolute_url())
    assert page.status_code == 200
    assert survey.history.first().history_user == planner
    assert planner.username in page.content.decode()


def test_preview_validates_but_stores_nothing(planner_client, areas):
    survey, qs = make_full_survey()
    preview = reverse("surveys:survey_preview", args=[survey.pk])
    assert planner_client.get(preview).status_code == 200
    page = planner_client.post(preview, valid_post(qs, areas[0]))
    assert "preview-valid" in page.content.decode()
    assert not survey.responses.exists()
