"""Submit, go Back, submit again: one response, and the same thank-you page (the key survives
Back, kept in sessionStorage, even when the browser reloads the form from the server)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from surveys.models import QuestionKind, Response
from tests.browser.helpers import BROWSER_DB
from tests.builders import make_question, make_survey


def _survey():
    survey = make_survey()
    make_question(survey, QuestionKind.SINGLE, choices=["Yes", "No"], text_en="Any?")
    make_question(survey, QuestionKind.NUMBER, required=False, text_en="How many?")
    return survey


def _answer_and_send(page):
    page.get_by_label("Yes").check()
    page.get_by_label("How many?").fill("2")
    page.locator("#survey-submit").click()
    page.wait_for_url("**/thanks/**")


@pytest.mark.browser
@BROWSER_DB
@pytest.mark.parametrize("cache", ["bfcache", "reload"])
def test_back_and_send_again_stores_one_response(page, live_server, english, cache):
    survey = _survey()
    url = live_server.url + reverse("public_surveys:survey_form", args=[survey.slug])
    page.goto(url)
    if cache == "reload":
        # No back-forward cache: Back asks the server again, which hands out a new key.
        page.evaluate("window.addEventListener('unload', function () {})")
    _answer_and_send(page)
    first_thanks = page.url
    expect(page.locator("#stored-at")).to_be_visible()

    page.go_back()
    page.wait_for_url(url)
    page.get_by_label("Yes").check()
    page.locator("#survey-submit").click()
    page.wait_for_url("**/thanks/**")

    assert page.url == first_thanks
    assert Response.objects.filter(survey=survey).count() == 1


@pytest.mark.browser
@BROWSER_DB
def test_a_new_visit_after_thanks_is_a_new_questionnaire(page, live_server, english):
    survey = _survey()
    url = live_server.url + reverse("public_surveys:survey_form", args=[survey.slug])
    page.goto(url)
    _answer_and_send(page)
    page.locator("#answer-again").click()
    _answer_and_send(page)
    assert Response.objects.filter(survey=survey).count() == 2
