"""Fieldwork without a connection: answers sent while offline wait in the browser, the page says
how many, and they are sent once when the connection returns (the idempotency key makes every
resend safe); once opened, the form itself keeps working offline (its service worker)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from surveys.models import QuestionKind, Response
from tests.browser.helpers import BROWSER_DB
from tests.builders import make_question, make_survey


def _survey():
    survey = make_survey()
    make_question(survey, QuestionKind.SINGLE, choices=["Yes", "No"], text_en="Any?")
    make_question(survey, QuestionKind.TEXT, required=False, text_en="Say")
    return survey


@pytest.mark.browser
@BROWSER_DB
def test_answers_sent_offline_wait_and_are_sent_once_online(page, live_server, english):
    survey = _survey()
    page.goto(live_server.url + reverse("public_surveys:survey_form", args=[survey.slug]))
    first_key = page.input_value("input[name=idempotency_key]")

    page.context.set_offline(True)
    page.get_by_label("Yes").check()
    page.get_by_label("Say").fill("first")
    page.locator("#survey-submit").click()
    status = page.locator("#offline-status")
    expect(status).to_contain_text("1 answer is waiting to be sent.")
    # The form is emptied for the next questionnaire, with a new key.
    expect(page.get_by_label("Yes")).not_to_be_checked()
    second_key = page.input_value("input[name=idempotency_key]")
    assert second_key != first_key
    page.get_by_label("No").check()
    page.locator("#survey-submit").click()
    expect(status).to_contain_text("2 answers are waiting to be sent.")
    assert Response.objects.filter(survey=survey).count() == 0

    page.context.set_offline(False)
    expect(status).to_contain_text("All waiting answers have been sent.")
    responses = Response.objects.filter(survey=survey)
    assert responses.count() == 2
    assert {str(r.idempotency_key) for r in responses} == {first_key, second_key}
    assert responses.get(idempotency_key=first_key).answers.filter(text="first").exists()
    queued = "Object.keys(localStorage).filter(k => k.startsWith('fenglin:queue:'))"
    assert page.evaluate(queued) == []


@pytest.mark.browser
@BROWSER_DB
def test_a_resend_of_a_stored_questionnaire_stores_nothing_new(page, live_server, english):
    survey = _survey()
    url = live_server.url + reverse("public_surveys:survey_form", args=[survey.slug])
    page.goto(url)
    page.context.set_offline(True)
    page.get_by_label("Yes").check()
    page.locator("#survey-submit").click()
    # The same questionnaire queued twice (a resend after a lost answer from the server).
    page.evaluate(
        """() => { const k = Object.keys(localStorage).find(k => k.startsWith('fenglin:queue:'));
                   const q = JSON.parse(localStorage.getItem(k)); q.push(q[0]);
                   localStorage.setItem(k, JSON.stringify(q)); }"""
    )
    page.context.set_offline(False)
    expect(page.locator("#offline-status")).to_contain_text("All waiting answers have been sent.")
    assert Response.objects.filter(survey=survey).count() == 1


@pytest.mark.browser
@BROWSER_DB
def test_the_opened_form_loads_again_without_a_connection(page, live_server, english):
    survey = _survey()
    url = live_server.url + reverse("public_surveys:survey_form", args=[survey.slug])
    page.goto(url)
    page.wait_for_function(
        "navigator.serviceWorker && navigator.serviceWorker.ready.then(() => true)"
    )
    page.reload()  # now controlled by the worker, which has kept the page
    page.wait_for_function("!!navigator.serviceWorker.controller")
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_label("Yes")).to_be_visible()
    expect(page.locator("#survey-submit")).to_be_visible()
    page.get_by_label("Yes").check()
    page.locator("#survey-submit").click()
    expect(page.locator("#offline-status")).to_contain_text("1 answer is waiting to be sent.")
    page.context.set_offline(False)
    expect(page.locator("#offline-status")).to_contain_text("All waiting answers have been sent.")
    assert Response.objects.filter(survey=survey).count() == 1


@pytest.mark.browser
@BROWSER_DB
def test_paper_entry_keeps_questionnaires_offline_and_sends_them_once(
    page, live_server, english, login_as
):
    from fenglin import roles
    from tests.builders import make_user

    survey = _survey()
    login_as(make_user("offline-clerk", roles.PLANNERS))
    page.goto(live_server.url + reverse("surveys:paper_entry", args=[survey.pk]))
    page.context.set_offline(True)
    for number in ("P-1", "P-2"):
        page.get_by_label("Questionnaire number").fill(number)
        page.get_by_label("Yes").check()
        page.locator("#paper-submit").click()
    expect(page.locator("#offline-status")).to_contain_text("2 answers are waiting to be sent.")
    page.context.set_offline(False)
    expect(page.locator("#offline-status")).to_contain_text("All waiting answers have been sent.")
    stored = Response.objects.filter(survey=survey)
    assert sorted(stored.values_list("paper_reference", flat=True)) == ["P-1", "P-2"]
    assert {r.channel for r in stored} == {"paper"}
