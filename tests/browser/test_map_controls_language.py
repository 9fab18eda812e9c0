"""Leaflet's controls speak the page's language: the zoom buttons say 放大 / 缩小 on Chinese
pages and Zoom in / Zoom out on English ones."""

import pytest

from tests.browser.helpers import BROWSER_DB


def zoom_titles(page) -> list[str]:
    buttons = page.locator("#service-map .leaflet-control-zoom a")
    buttons.first.wait_for()
    return [buttons.nth(i).get_attribute("title") for i in range(buttons.count())]


@pytest.mark.browser
@BROWSER_DB
def test_zoom_buttons_in_chinese(page, live_server):
    page.goto(live_server.url + "/map/")
    assert zoom_titles(page) == ["放大", "缩小"]


@pytest.mark.browser
@BROWSER_DB
def test_zoom_buttons_in_english(page, live_server, english):
    page.goto(live_server.url + "/map/")
    assert zoom_titles(page) == ["Zoom in", "Zoom out"]
