"""One response per intention: a questionnaire sent again with its key (Back and Send, or an
offline queue resending) stores nothing new and gets the stored response's thank-you page."""

import pytest
from django.urls import reverse

from surveys.models import Response, SurveyStatus
from tests.builders import make_full_survey, valid_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(areas):
    survey, qs = make_full_survey()
    return survey, qs, areas


def test_same_key_twice_is_one_response_and_the_same_thank_you(english, setup):
    survey, qs, areas = setup
    url = reverse("public_surveys:survey_form", args=[survey.slug])
    data = valid_post(qs, areas[0])
    first = english.post(url, data)
    second = english.post(url, {**data, qs["rating"].field_name: "1"})
    assert Response.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    stored = Response.objects.get()
    assert str(stored.idempotency_key) in second["Location"]
    assert stored.answers.get(question=qs["rating"]).number == 4  # the first answers stand
    thanks = english.get(second["Location"])
    assert thanks.status_code == 200
    assert "Your answers were received on" in thanks.content.decode()


def test_a_resend_after_closing_is_still_thanked(english, setup):
    survey, qs, areas = setup
    url = reverse("public_surveys:survey_form", args=[survey.slug])
    data = valid_post(qs, areas[0])
    english.post(url, data)
    survey.status = SurveyStatus.CLOSED
    survey.save()
    again = english.post(url, data)
    assert again.status_code == 302
    assert "/thanks/" in again["Location"]
    assert Response.objects.count() == 1


def test_thank_you_page_without_a_stored_key_is_the_plain_one(english, setup):
    survey, _qs, _areas = setup
    url = reverse("public_surveys:survey_thanks", args=[survey.slug])
    for query in ("", "?key=not-a-uuid", "?key=6f1c1c5e-8d1e-4a43-9a3e-1d2f3b4c5d6e"):
        page = english.get(url + query)
        assert page.status_code == 200
        assert "Your answers were received on" not in page.content.decode()
