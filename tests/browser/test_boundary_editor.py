"""The boundary editor on the area form: a polygon drawn with Leaflet.draw fills the GeoJSON
field and is stored on saving; Leaflet.draw's toolbar speaks the page's language (Chinese by
default)."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from fenglin import roles
from sites.boundary_editor import draw_strings
from sites.models import Area
from tests.browser.helpers import BROWSER_DB
from tests.builders import make_area, make_user

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.browser
@BROWSER_DB
def test_a_polygon_drawn_on_the_map_is_stored_and_the_toolbar_is_chinese(
    page, live_server, login_as
):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    area = make_area(name="画界", centroid_lat="31.193000", centroid_lng="121.455500")
    login_as(make_user("planner-boundary", roles.PLANNERS))
    page.goto(live_server.url + reverse("sites:area_edit", args=[area.pk]))

    the_map = page.locator("#id_boundary_map")
    the_map.locator(".leaflet-tile-pane").wait_for(state="attached")
    draw_button = the_map.locator("a.leaflet-draw-draw-polygon")
    with translation.override("zh-hans"):
        expected = draw_strings()
    title = draw_button.get_attribute("title")
    assert title == expected["draw"]["toolbar"]["buttons"]["polygon"]
    assert CJK.search(title), title
    edit_title = the_map.locator("a.leaflet-draw-edit-edit").get_attribute("title")
    assert edit_title == expected["edit"]["toolbar"]["buttons"]["editDisabled"]

    # Draw a square around the centre of the map, closing it on its first corner.
    draw_button.click()
    tooltip = the_map.locator(".leaflet-draw-tooltip")
    expect(tooltip).to_contain_text(expected["draw"]["handlers"]["polygon"]["tooltip"]["start"])
    box = the_map.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    corners = [(-60, -60), (60, -60), (60, 60), (-60, 60), (-60, -60)]
    for dx, dy in corners:
        page.mouse.move(cx + dx, cy + dy)
        page.mouse.down()
        page.mouse.up()
        # Leaflet.draw ignores a click within 50 ms of the last one: click at a person's pace.
        page.wait_for_timeout(150)
    expect(page.locator("#id_boundary")).to_have_value(re.compile('"Polygon"'))
    boundary = json.loads(page.input_value("#id_boundary"))
    assert boundary["type"] == "Polygon"
    assert len(boundary["coordinates"][0]) == 5  # four corners and the first again

    page.locator("form.form button[type=submit].primary").click()
    page.wait_for_url(re.compile(rf"/sites/areas/{area.pk}/$"))
    stored = Area.objects.get(pk=area.pk).boundary
    assert stored == boundary
    lngs = [x for x, _y in stored["coordinates"][0]]
    lats = [y for _x, y in stored["coordinates"][0]]
    assert min(lats) < 31.193 < max(lats) and min(lngs) < 121.4555 < max(lngs)
    assert errors == []
