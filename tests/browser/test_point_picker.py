"""One map point picker, the same on the site form and on the survey's map question: a click
on the map fills both coordinates, typed coordinates move the marker, the inputs stay usable."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from fenglin import roles
from tests.browser.helpers import BROWSER_DB
from tests.browser.test_journeys import click_map, log_in
from tests.builders import make_question, make_survey, make_user


def _site_form(page, live_server) -> tuple[str, str, str]:
    make_user("planner-picker", roles.PLANNERS)
    log_in(page, live_server, "planner-picker")
    page.goto(live_server.url + reverse("sites:site_create"))
    return "#id_point_map", "#id_latitude", "#id_longitude"


def _survey_form(page, live_server) -> tuple[str, str, str]:
    from surveys.models import QuestionKind

    survey = make_survey()
    make_question(survey, QuestionKind.POINT, required=False, text_en="Pin")
    page.goto(live_server.url + reverse("public_surveys:survey_form", args=[survey.slug]))
    box = page.locator("#point-picker")
    lat = "#" + box.get_attribute("data-lat-input")
    lng = "#" + box.get_attribute("data-lng-input")
    return "#survey-point-map", lat, lng


@pytest.mark.browser
@BROWSER_DB
@pytest.mark.parametrize("open_page", [_site_form, _survey_form], ids=["site", "survey"])
def test_the_map_fills_the_coordinates_and_typed_coordinates_move_the_marker(
    page, live_server, english, open_page
):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    map_selector, lat, lng = open_page(page, live_server)
    the_map = page.locator(map_selector)
    the_map.locator(".leaflet-tile-pane").wait_for(state="attached")

    click_map(page, map_selector, dx=-40, dy=30)
    expect(page.locator(lat)).not_to_have_value("")
    expect(page.locator(lng)).not_to_have_value("")
    latitude, longitude = float(page.input_value(lat)), float(page.input_value(lng))
    assert 31.15 < latitude < 31.24 and 121.40 < longitude < 121.51
    # Six decimals, as the site register stores them.
    assert len(page.input_value(lat).split(".")[1]) == 6
    marker = the_map.locator(".leaflet-marker-icon")
    expect(marker).to_have_count(1)
    clicked_at = marker.bounding_box()

    # The inputs are the text alternative: typing moves the marker (the map follows it). On the
    # survey they wait behind "Type the coordinates instead".
    if not page.locator(lat).is_visible():
        page.locator(lat).locator("xpath=ancestor::details[1]/summary").click()
    page.fill(lat, f"{latitude + 0.002:.6f}")
    page.fill(lng, f"{longitude + 0.002:.6f}")
    page.locator(lng).dispatch_event("change")
    expect(marker).to_have_count(1)
    page.wait_for_function(
        "([selector, x, y]) => {"
        "  const b = document.querySelector(selector).getBoundingClientRect();"
        "  return Math.abs(b.x - x) > 1 || Math.abs(b.y - y) > 1; }",
        arg=[f"{map_selector} .leaflet-marker-icon", clicked_at["x"], clicked_at["y"]],
    )
    assert errors == []
