"""Whole journeys in a real browser, each from an empty database plus `load_demo`.

Screenshots of the key screens go to test-artifacts/screenshots/ (the `screenshot` fixture).
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from fenglin import roles
from tests.browser.helpers import BROWSER_DB
from tests.builders import make_user

PASSWORD = "a-long-test-password-1"  # tests.conftest.make_user's


def log_in(page: Page, live_server, username: str) -> None:
    """Through the real login page, as staff do."""
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))


def click_map(page: Page, selector: str, dx: float = 0, dy: float = 0) -> None:
    """Click a Leaflet map near its centre, away from markers (which take clicks themselves)."""
    container = page.locator(selector)
    container.scroll_into_view_if_needed()
    box = container.bounding_box()
    container.click(position={"x": box["width"] / 2 + dx, "y": box["height"] / 2 + dy})


def service_pk(code: str) -> str:
    from sites.models import ServiceType

    return str(ServiceType.objects.get(code=code).pk)


# --- A resident ----------------------------------------------------------------------------


@pytest.mark.browser
@BROWSER_DB
def test_a_resident_answers_the_demo_survey_on_a_phone(page, live_server, demo, screenshot):
    from surveys.models import Response, Survey

    survey = Survey.objects.get(title__contains="天龙生活盒子")
    before = Response.objects.filter(survey=survey).count()
    page.set_viewport_size({"width": 390, "height": 844})

    # From the home page, as a resident arrives (Chinese by default).
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_role("link", name=survey.title).click()
    expect(page.locator("#survey-form")).to_be_visible()
    screenshot("resident-1-survey-form")

    # Everything answered but one required question: its message stands next to it, the
    # other answers are kept, and nothing is saved.
    questions = page.locator("#survey-form .question")
    forgotten = page.locator("#survey-form .question.required").first
    forgotten_id = forgotten.get_attribute("id")
    others = [q.get_attribute("id") for q in questions.all()]
    others.remove(forgotten_id)
    answered = [qid for qid in others if answer(page.locator(f"#{qid}"))]
    page.locator("#survey-submit").click()
    expect(page.locator(f"#{forgotten_id} .errorlist")).to_be_visible()
    expect(page.locator("#survey-form .errorlist")).to_have_count(1)
    assert answered and all(is_answered(page.locator(f"#{qid}")) for qid in answered)
    assert Response.objects.filter(survey=survey).count() == before
    screenshot("resident-2-validation-error")

    # Fixed and sent: one response, online, in the chosen neighbourhood.
    answer(page.locator(f"#{forgotten_id}"))
    page.locator("#survey-submit").click()
    expect(page.locator("#survey-form")).to_have_count(0)
    screenshot("resident-3-thank-you")
    assert Response.objects.filter(survey=survey).count() == before + 1
    response = Response.objects.filter(survey=survey).order_by("-pk").first()
    assert response.channel == "online"


def answer(question) -> bool:
    """Give a valid answer to one question of the public form, by its kind; False if skipped."""
    kind = next(c for c in question.get_attribute("class").split() if c.startswith("kind-"))
    if kind in ("kind-single", "kind-rating"):
        question.locator("input[type=radio]").first.check()
    elif kind == "kind-multiple":
        question.locator("input[type=checkbox]").first.check()
    elif kind in ("kind-area", "kind-point"):
        select = question.locator("select")
        if not select.count():
            return False  # an optional pin whose text alternative is the area question
        values = select.locator("option").evaluate_all("options => options.map(o => o.value)")
        select.select_option([v for v in values if v][0])
    elif kind == "kind-number":
        field = question.locator("input")
        field.fill(field.get_attribute("min") or "1")
    elif kind == "kind-text":
        question.locator("textarea, input[type=text]").first.fill("家门口多一些服务")
    else:
        return False
    return True


def is_answered(question) -> bool:
    return question.evaluate(
        """el => [...el.querySelectorAll("input, select, textarea")].some(f =>
            (f.type === "radio" || f.type === "checkbox") ? f.checked : f.value !== "")"""
    )


# --- A planner -----------------------------------------------------------------------------


@pytest.mark.browser
@BROWSER_DB
def test_a_planner_registers_a_site_surveys_compares_and_optimises(
    page, live_server, demo, english, settings, screenshot
):
    from scenarios.models import OptimisationRun, Scenario
    from sites.models import Site
    from surveys.models import Survey

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    make_user("planner-journey", roles.PLANNERS)
    log_in(page, live_server, "planner-journey")

    # 1. Register a candidate site by clicking the map.
    page.goto(live_server.url + reverse("sites:site_create"))
    page.fill("#id_name", "零陵路500号 journey premises")
    page.fill("#id_code", "journey-premises")
    page.fill("#id_address", "零陵路500号")
    click_map(page, "#id_point_map", dx=-40, dy=30)
    expect(page.locator("#id_latitude")).not_to_have_value("")
    expect(page.locator("#id_longitude")).not_to_have_value("")
    latitude = float(page.input_value("#id_latitude"))
    longitude = float(page.input_value("#id_longitude"))
    assert 31.15 < latitude < 31.24 and 121.40 < longitude < 121.51
    page.select_option("#id_status", "candidate")
    page.fill("#id_floor_area_m2", "400")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("journey premises")
    # After the save: a full-page screenshot resizes the page, and a click just after it can
    # land while the maps relayout.
    screenshot("planner-1-register-site")
    site = Site.objects.get(code="journey-premises")
    assert (float(site.latitude), float(site.longitude)) == (latitude, longitude)

    # ... and find it on the list.
    page.goto(live_server.url + reverse("sites:site_list"))
    page.fill("#id_q", "journey premises")
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator("#site-table")).to_contain_text("journey premises")
    expect(page.locator("#site-count")).to_contain_text("1 site")
    screenshot("planner-2-site-list")

    # 2. Build a survey: a title, a single-choice question whose choices express needs, open it.
    page.goto(live_server.url + reverse("surveys:survey_create"))
    page.fill("#id_title", "Journey survey")
    if not page.input_value("#id_slug"):
        page.fill("#id_slug", "journey-survey")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("Journey survey")
    page.locator("#add-question").click()
    page.locator("#kind-single").click()  # the builder asks for the kind first
    page.fill("#id_text", "Which service do you need most?")
    page.check("#id_required")
    for row, (label, service) in enumerate([("食堂", "canteen"), ("托育", "nursery")]):
        if row:
            page.locator("#add-choice").click()
        page.fill(f"#id_choices-{row}-label", label)
        # "Need, site or household group" opens to say which service the option asks for.
        page.locator("#choice-rows [data-row]").nth(row).locator("summary").click()
        page.select_option(f"#id_choices-{row}-service_type", service_pk(service))
    page.get_by_role("button", name="Save question").click()
    expect(page.locator("main")).to_contain_text("Which service do you need most?")
    page.locator("#open-survey").click()
    survey = Survey.objects.get(title="Journey survey")
    assert survey.status == "open"
    assert [c.service_type.code for c in survey.questions.get().choices.order_by("pk")] == [
        "canteen",
        "nursery",
    ]
    screenshot("planner-3-survey-built")

    # 3. Read the demo survey's results.
    demo_survey = Survey.objects.get(title__contains="天龙生活盒子")
    page.goto(live_server.url + reverse("surveys:survey_results", args=[demo_survey.pk]))
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("meter, progress, .bar-chart").first).to_be_visible()
    screenshot("planner-4-survey-results")

    # 4. Create a scenario from today, add the new premises with a service, compare.
    page.goto(live_server.url + reverse("scenarios:scenario_create"))
    page.fill("#id_name", "Journey: open the new premises")
    page.get_by_role("button", name=re.compile("Save|Create")).click()
    expect(page.locator("h1")).to_contain_text("Journey: open the new premises")
    scenario = Scenario.objects.get(name="Journey: open the new premises")
    page.get_by_role("link", name="Add a site with a service").click()
    page.select_option("#id_site", str(site.pk))
    page.select_option("#id_service_type", service_pk("canteen"))
    page.fill("#id_floor_area_m2", "150")
    page.get_by_role("button", name="Add").click()
    expect(page.locator("#addition-table")).to_contain_text("journey premises")

    page.goto(live_server.url + reverse("scenarios:index"))
    today = Scenario.objects.exclude(pk=scenario.pk).order_by("pk").first()
    page.check(f"#compare-{today.pk}")
    page.check(f"#compare-{scenario.pk}")
    page.get_by_role("button", name=re.compile("Compare the ticked")).click()
    expect(page.locator("#compare-summary")).to_contain_text("journey premises")
    screenshot("planner-5-compare")

    # 5. Optimise the canteens from this scenario and watch the run to its end.
    page.goto(live_server.url + scenario.get_absolute_url())
    page.get_by_role("link", name="Optimise").click()
    page.select_option("#id_service_pick", "canteen")
    page.get_by_role("button", name="Choose").click()
    page.select_option("#id_model", "mclp")
    page.fill("#id_new_sites", "1")
    page.get_by_role("button", name="Start the optimisation").click()
    expect(page.locator("#run-progress")).to_be_visible()
    expect(page.locator("#run-bar")).to_have_attribute("value", "100", timeout=60_000)
    run = OptimisationRun.objects.order_by("-pk").first()
    assert run.result_scenario is not None, run.error
    expect(page.locator("#chosen-table")).to_be_visible()
    screenshot("planner-6-optimisation-run")


# --- An inspector --------------------------------------------------------------------------


@pytest.mark.browser
@BROWSER_DB
def test_an_inspector_records_an_overdue_inspection(page, live_server, demo, english, screenshot):
    from sites.safety.models import Inspection

    make_user("inspector-journey", roles.INSPECTORS)
    log_in(page, live_server, "inspector-journey")

    page.goto(live_server.url + reverse("sites:safety_dashboard"))
    overdue = page.locator("#overdue-table tbody tr")
    expect(overdue.first).to_be_visible()
    screenshot("inspector-1-dashboard")
    row_text = overdue.first.inner_text()
    before = Inspection.objects.count()

    overdue.first.get_by_role("link", name=re.compile("Record")).click()
    page.fill("#id_inspectors", "王明, 李华")
    page.select_option("#id_result", "pass")
    screenshot("inspector-2-record")
    page.get_by_role("button", name="Record the inspection").click()
    expect(page.locator(".message.success")).to_be_visible()
    assert Inspection.objects.count() == before + 1

    page.goto(live_server.url + reverse("sites:safety_dashboard"))
    rows = [row.inner_text() for row in page.locator("#overdue-table tbody tr").all()]
    assert row_text not in rows, "the recorded inspection is still listed as overdue"
    screenshot("inspector-3-dashboard-after")
