"""Paper entry from the keyboard: Enter moves through every field (a group of options is one
stop), Ctrl+Enter saves and opens an empty form for the next questionnaire."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from fenglin import roles
from surveys.models import QuestionKind, Response
from tests.browser.helpers import BROWSER_DB
from tests.builders import make_question, make_survey, make_user


@pytest.mark.browser
@BROWSER_DB
def test_enter_moves_through_the_fields_and_ctrl_enter_saves(page, live_server, english, login_as):
    survey = make_survey()
    make_question(survey, QuestionKind.SINGLE, choices=["Yes", "No"], text_en="Any?")
    make_question(survey, QuestionKind.NUMBER, required=False, text_en="How many?")
    make_question(survey, QuestionKind.TEXT, required=False, text_en="Say")
    login_as(make_user("paper-clerk", roles.PLANNERS))
    page.goto(live_server.url + reverse("surveys:paper_entry", args=[survey.pk]))

    number = page.get_by_label("Questionnaire number")
    expect(number).to_be_focused()
    number.fill("A-17")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Yes")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(page.get_by_label("How many?")).to_be_focused()
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Say")).to_be_focused()
    page.keyboard.type("more benches")
    assert Response.objects.count() == 0  # Enter alone saved nothing
    page.keyboard.press("Control+Enter")
    expect(page.locator(".messages")).to_contain_text("Questionnaire saved")
    stored = Response.objects.get()
    assert stored.paper_reference == "A-17"
    assert stored.answers.filter(text="more benches").exists()
    expect(page.get_by_label("Questionnaire number")).to_be_focused()
