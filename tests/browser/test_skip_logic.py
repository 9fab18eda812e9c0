"""Skip logic in the browser: answering "No" hides the follow-up, which is then neither
required nor stored; "None of these" unticks the other options. The planner's builder adds,
reorders and removes options inline."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from fenglin import roles
from surveys.models import Answer, Choice, Question, QuestionKind, Response
from tests.browser.helpers import BROWSER_DB, describe_violations
from tests.browser.test_journeys import log_in
from tests.builders import make_condition, make_question, make_survey, make_user


def _survey():
    survey = make_survey()
    uses = make_question(
        survey,
        QuestionKind.SINGLE,
        choices=[{"label": "是", "label_en": "Yes"}, {"label": "否", "label_en": "No"}],
        text_en="Do you use the canteen?",
    )
    often = make_question(survey, QuestionKind.NUMBER, text_en="How many times a week?")
    make_condition(often, uses, "equals", uses.choices.get(label_en="Yes"))
    make_question(
        survey,
        QuestionKind.MULTIPLE,
        required=False,
        choices=[
            {"label": "食堂", "label_en": "Canteen"},
            {"label": "托育", "label_en": "Nursery"},
            {"label": "都不需要", "label_en": "None of these", "exclusive": True},
        ],
        text_en="What else do you need?",
    )
    return survey, often


@pytest.mark.browser
@BROWSER_DB
def test_answering_no_hides_the_follow_up_and_stores_nothing_for_it(page, live_server, english):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    survey, often = _survey()
    page.goto(live_server.url + reverse("public_surveys:survey_form", args=[survey.slug]))
    follow_up = page.locator(f"#question-{often.pk}")

    expect(follow_up).to_be_hidden()
    page.get_by_label("Yes").check()
    expect(follow_up).to_be_visible()
    page.get_by_label("How many times a week?").fill("3")
    page.get_by_label("No", exact=True).check()
    expect(follow_up).to_be_hidden()

    page.get_by_label("Canteen").check()
    page.get_by_label("None of these").check()
    expect(page.get_by_label("Canteen")).not_to_be_checked()
    page.get_by_label("Nursery").check()
    expect(page.get_by_label("None of these")).not_to_be_checked()

    page.locator("#survey-submit").click()
    page.wait_for_url("**/thanks/**")
    response = Response.objects.get(survey=survey)
    assert not Answer.objects.filter(response=response, question=often).exists()
    assert errors == []


@pytest.mark.browser
@BROWSER_DB
def test_answering_yes_asks_the_follow_up_and_requires_it(page, live_server, english):
    survey, often = _survey()
    page.goto(live_server.url + reverse("public_surveys:survey_form", args=[survey.slug]))
    page.get_by_label("Yes").check()
    page.locator("#survey-submit").click()
    # The server asks for it too, and the page shows it again after the error.
    expect(page.locator(f"#question-{often.pk} ul.errorlist")).to_be_visible()
    page.get_by_label("How many times a week?").fill("2")
    page.locator("#survey-submit").click()
    page.wait_for_url("**/thanks/**")
    assert Answer.objects.get(question=often).number == 2


@pytest.mark.browser
@BROWSER_DB
def test_the_builder_adds_moves_and_removes_options_inline(page, live_server, english):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    survey = make_survey()
    make_user("planner-builder", roles.PLANNERS)
    log_in(page, live_server, "planner-builder")
    page.goto(live_server.url + reverse("surveys:question_create", args=[survey.pk]))
    page.locator("#kind-single").click()
    page.fill("#id_text", "您常去哪里？")
    # The script's controls replace the order numbers, Remove boxes and the no-script button.
    expect(page.locator("#add-choice")).to_be_visible()
    expect(page.locator("button[name=add_option]")).to_be_hidden()
    expect(page.locator("#id_choices-0-ORDER")).to_be_hidden()

    labels = ["A", "B", "C", "D"]
    page.fill("#id_choices-0-label", labels[0])
    for index, label in enumerate(labels[1:], start=1):
        page.locator("#add-choice").click()
        page.fill(f"#id_choices-{index}-label", label)
    rows = page.locator("#choice-rows [data-row]")
    rows.nth(3).get_by_role("button", name="Move up").click()  # A B D C
    rows.nth(1).get_by_role("button", name="Remove").click()  # A D C
    page.locator("#save-question").click()
    page.wait_for_url(f"**/surveys/{survey.pk}/**")

    question = Question.objects.get(survey=survey)
    assert list(
        Choice.objects.filter(question=question).order_by("order").values_list("label", flat=True)
    ) == ["A", "D", "C"]
    assert errors == []


@pytest.mark.browser
@BROWSER_DB
def test_the_builder_pages_have_no_serious_accessibility_violation(
    page, live_server, login_as, axe
):
    survey, often = _survey()
    make_question(survey, QuestionKind.SINGLE, choices=[])  # a blocking problem to show
    login_as(make_user("planner-a11y", roles.PLANNERS))
    pages = {
        "survey": survey.get_absolute_url(),
        "kinds": reverse("surveys:question_create", args=[survey.pk]),
        "editor": reverse("surveys:question_edit", args=[often.pk]),
        "options": reverse("surveys:question_create", args=[survey.pk]) + "?kind=multiple",
        "remove": reverse("surveys:question_remove", args=[often.pk]),
        "form": reverse("public_surveys:survey_form", args=[survey.slug]),
    }
    problems = {}
    for name, address in pages.items():
        assert page.goto(live_server.url + address).status == 200, name
        violations = axe()
        if violations:
            problems[name] = describe_violations(violations)
    assert not problems, problems


@pytest.mark.browser
@BROWSER_DB
def test_a_condition_shows_only_what_fits_its_earlier_question(page, live_server, login_as):
    survey, often = _survey()
    size = make_question(survey, QuestionKind.NUMBER, text_en="Household size")
    login_as(make_user("planner-conditions", roles.PLANNERS))
    page.goto(live_server.url + reverse("surveys:question_create", args=[survey.pk]) + "?kind=text")
    row = page.locator(".condition-row").first
    choice, number = row.locator("select[name$='-choice']"), row.locator("input[name$='-number']")

    row.locator("select[name$='-source']").select_option(str(size.pk))
    expect(choice).to_be_hidden()
    expect(number).to_be_visible()
    expect(row.locator("option[value='greater_than']")).to_be_attached()
    assert row.locator("option[value='includes']").evaluate("o => o.hidden")

    uses = Question.objects.get(survey=survey, order=0)
    row.locator("select[name$='-source']").select_option(str(uses.pk))
    expect(choice).to_be_visible()
    expect(number).to_be_hidden()
    shown = choice.locator("option:not([hidden])").all_inner_texts()
    assert [text.strip() for text in shown if text.strip() != "---------"] == ["是", "否"]
