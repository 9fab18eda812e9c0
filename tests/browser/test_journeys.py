"""Whole journeys in a real browser, each from an empty database plus `load_demo`.

Screenshots of the key screens go to test-artifacts/screenshots/ (the `screenshot` fixture).
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from fenglin import roles
from tests.browser.helpers import BROWSER_DB
from tests.conftest import make_user

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


# --- A resident ----------------------------------------------------------------------------


@pytest.mark.browser
@BROWSER_DB
def test_a_resident_answers_the_demo_survey_on_a_phone(page, live_server, demo, screenshot):
    from surveys.models import Response, Survey

    survey = Survey.objects.get(title__contains="天龙生活盒子")
    before = Response.objects.filter(survey=survey).count()
    page.set_viewport_size({"width": 390, "height": 844})

    # From the home page, as a resident would arrive.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=survey.title).click()
    expect(page.locator("h1")).to_contain_text(survey.title)
    screenshot("resident-1-survey-form")

    # Sent empty: the required questions say so, next to each question, and nothing is saved.
    page.locator("form button[type=submit]").last.click()
    errors = page.locator(".errorlist")
    expect(errors.first).to_be_visible()
    assert Response.objects.filter(survey=survey).count() == before
    screenshot("resident-2-validation-errors")

    # Fixed: answer every question, each by its kind, then send again.
    answer_every_question(page)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".errorlist")).to_have_count(0)
    screenshot("resident-3-thank-you")
    assert Response.objects.filter(survey=survey).count() == before + 1
    response = Response.objects.filter(survey=survey).order_by("-pk").first()
    assert response.channel == "online"
    assert response.area_id is not None


def answer_every_question(page: Page) -> None:
    """Give a valid answer to every question of a public survey form."""
    form = page.locator("form").filter(has=page.locator("button[type=submit]")).last
    for fieldset in form.locator("fieldset").all():
        radios = fieldset.locator("input[type=radio]")
        checkboxes = fieldset.locator("input[type=checkbox]")
        if radios.count():
            radios.first.check()
        elif checkboxes.count():
            checkboxes.first.check()
    for select in form.locator("select").all():
        if select.is_visible():
            options = select.locator("option").all()
            values = [o.get_attribute("value") for o in options if o.get_attribute("value")]
            if values:
                select.select_option(values[0])
    for number in form.locator("input[type=number]").all():
        if number.is_visible() and not number.input_value():
            low = number.get_attribute("min") or "1"
            number.fill(low)
    for text in form.locator("textarea, input[type=text]").all():
        if text.is_visible() and not text.input_value():
            text.fill("家门口多一些服务")


# --- A planner -----------------------------------------------------------------------------


@pytest.mark.browser
@BROWSER_DB
def test_a_planner_registers_a_site_surveys_compares_and_optimises(
    page, live_server, demo, english, settings, screenshot
):
    from scenarios.models import OptimisationRun, Scenario
    from sites.models import Site

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
    screenshot("planner-1-register-site")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("journey premises")
    site = Site.objects.get(code="journey-premises")
    assert (float(site.latitude), float(site.longitude)) == (latitude, longitude)

    # ... and find it on the list.
    page.goto(live_server.url + reverse("sites:site_list"))
    page.fill("#id_q", "journey premises")
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator("#site-table")).to_contain_text("journey premises")
    expect(page.locator("#site-count")).to_contain_text("1 site")
    screenshot("planner-2-site-list")

    # 2. Build a survey: a title, then a single-choice question pointing at a service.
    page.goto(live_server.url + reverse("surveys:survey_create"))
    page.fill("#id_title", "Journey survey")
    page.get_by_role("button", name=re.compile("Save|Create")).click()
    expect(page.locator("h1")).to_contain_text("Journey survey")
    screenshot("planner-3-survey-built")

    # 3. Read the demo survey's results.
    from surveys.models import Survey

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
    page.select_option("#id_service_type", label=re.compile("canteen", re.IGNORECASE))
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
    from sites.models import Inspection

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
    page.get_by_role("button", name=re.compile("Save|Record")).click()
    expect(page.locator(".message.success")).to_be_visible()
    assert Inspection.objects.count() == before + 1

    page.goto(live_server.url + reverse("sites:safety_dashboard"))
    rows = [row.inner_text() for row in page.locator("#overdue-table tbody tr").all()]
    assert row_text not in rows, "the recorded inspection is still listed as overdue"
    screenshot("inspector-3-dashboard-after")
