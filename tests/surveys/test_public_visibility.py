"""A draft survey does not exist for the public: its address answers as an unknown one does.
Closed surveys say they are closed; staff still preview drafts."""

import pytest
from django.urls import reverse

from surveys.models import Response, SurveyStatus
from tests.builders import make_full_survey, valid_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(areas):
    survey, qs = make_full_survey(
        status=SurveyStatus.DRAFT, title="秘密草稿", title_en="Secret draft"
    )
    return survey, qs, areas


def test_a_draft_answers_404_like_an_unknown_survey(client, draft):
    survey, _qs, _areas = draft
    page = client.get(survey.get_public_url())
    unknown = client.get("/s/no-such-survey/")
    assert page.status_code == unknown.status_code == 404
    assert "秘密草稿" not in page.content.decode()
    assert "Secret draft" not in page.content.decode()


def test_posting_to_a_draft_is_404_and_stores_nothing(client, draft):
    survey, qs, areas = draft
    page = client.post(survey.get_public_url(), valid_post(qs, areas[0]))
    assert page.status_code == 404
    assert Response.objects.count() == 0


def test_the_thanks_page_of_a_draft_is_404(client, draft):
    survey, _qs, _areas = draft
    url = reverse("public_surveys:survey_thanks", args=[survey.slug])
    assert client.get(url).status_code == 404


def test_a_closed_survey_says_it_is_closed(client, draft):
    survey, _qs, _areas = draft
    survey.status = SurveyStatus.CLOSED
    survey.save()
    page = client.get(survey.get_public_url())
    assert page.status_code == 200
    assert "survey-closed" in page.content.decode()


def test_staff_still_preview_a_draft(planner_client, draft):
    survey, _qs, _areas = draft
    page = planner_client.get(reverse("surveys:survey_preview", args=[survey.pk]))
    assert page.status_code == 200
    assert "秘密草稿" in page.content.decode()
