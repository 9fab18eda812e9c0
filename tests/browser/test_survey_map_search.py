"""The map question's search: typing a housing estate's name puts the pin there and says so."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from surveys.models import QuestionKind
from tests.browser.helpers import BROWSER_DB
from tests.builders import make_question, make_residential_point, make_survey


@pytest.mark.browser
@BROWSER_DB
def test_searching_an_estate_places_the_pin(page, live_server, english):
    survey = make_survey()
    make_question(survey, QuestionKind.POINT, required=False, text_en="Pin")
    make_residential_point(
        name="枫林小区",
        name_en="Fenglin Estate",
        latitude=Decimal("31.1931"),
        longitude=Decimal("121.4555"),
    )
    page.goto(live_server.url + reverse("public_surveys:survey_form", args=[survey.slug]))
    search = page.get_by_label("Find a housing estate or a service site")
    expect(search).to_be_visible()
    search.fill("fenglin est")
    search.dispatch_event("change")
    box = page.locator("#point-picker")
    lat = page.locator("#" + box.get_attribute("data-lat-input"))
    expect(lat).to_have_value("31.193100")
    expect(page.locator(".point-status")).to_contain_text("Fenglin Estate")
    expect(page.locator("#survey-point-map .leaflet-marker-icon")).to_have_count(1)
