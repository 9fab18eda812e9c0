"""Maps stay readable with no tile server: the app draws the loaded streets and the named
neighbourhood boundaries itself.

Every browser test already refuses requests that leave this machine (conftest's
``_local_network_only``), so the configured tile server is unreachable here, as it is for many
residents in mainland China.
"""

import itertools
from decimal import Decimal

import pytest

from fenglin import roles
from tests.browser.helpers import BROWSER_DB
from tests.builders import make_area, make_user, make_walking_network

# Near the maps' default centre (31.193, 121.4555), at the default zoom of 15.
LAT, LNG = 31.193, 121.4555
# Three streets each way, joined where they cross: 0.001° of longitude is about 95 m here.
_ROWS, _COLUMNS = (LAT - 0.002, LAT, LAT + 0.002), (LNG - 0.003, LNG, LNG + 0.003)
GRID = [[(a, lat), (b, lat)] for lat in _ROWS for a, b in itertools.pairwise(_COLUMNS)] + [
    [(lng, a), (lng, b)] for lng in _COLUMNS for a, b in itertools.pairwise(_ROWS)
]
BOUNDARY = {
    "type": "Polygon",
    "coordinates": [
        [
            [LNG - 0.003, LAT - 0.002],
            [LNG + 0.003, LAT - 0.002],
            [LNG + 0.003, LAT + 0.002],
            [LNG - 0.003, LAT + 0.002],
            [LNG - 0.003, LAT - 0.002],
        ]
    ],
}

# Pixels drawn on the base layer's canvas (transparent where nothing is drawn).
PAINTED = """(selector) => {
  const canvas = document.querySelector(selector + " .leaflet-fenglinBase-pane canvas");
  if (!canvas || !canvas.width) return 0;
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
  return painted;
}"""


def _painted(page, selector: str) -> int:
    # Function forms: Playwright compiles them outside the page, whose CSP forbids eval.
    page.wait_for_function(f"(selector) => ({PAINTED})(selector) > 0", arg=selector)
    return page.evaluate(PAINTED, selector)


@pytest.mark.browser
@BROWSER_DB
def test_the_residents_map_shows_streets_and_area_names_without_tiles(
    page, live_server, english, screenshot
):
    network = make_walking_network(GRID, name="Grid streets", illustrative=True)
    # Areas without boundaries: whatever the canvas shows is streets.
    for name, dlat in (("Tianlin", 0.001), ("Zhaojiabang", -0.001)):
        make_area(
            name=name, centroid_lat=Decimal(f"{LAT + dlat:.6f}"), centroid_lng=Decimal(f"{LNG}")
        )
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(live_server.url + "/map/")
    service_map = page.locator("#service-map")
    labels = service_map.locator(".base-area-label")
    labels.first.wait_for()

    assert sorted(labels.all_inner_texts()) == ["Tianlin", "Zhaojiabang"]
    assert _painted(page, "#service-map") > 500  # twelve blocks' sides, 190 to 285 m each
    attribution = service_map.locator(".leaflet-control-attribution").inner_text()
    assert f"Streets: network Grid streets v{network.pk} (illustrative)" in attribution
    # The tiles failed, and the map shows a light ground rather than grey.
    page.wait_for_function("() => document.querySelector('#service-map.tiles-failed') !== null")
    background = service_map.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(244, 241, 234)"
    screenshot("base-layer-residents")
    # The layer control turns it off.
    service_map.locator(".leaflet-control-layers").hover()
    page.get_by_label("Streets and boundaries").uncheck()
    assert labels.count() == 0
    assert errors == []


@pytest.mark.browser
@BROWSER_DB
def test_a_staff_map_shows_the_named_boundaries_without_tiles(
    page, live_server, english, login_as, screenshot
):
    area = make_area(name="Fenglin north", boundary=BOUNDARY, centroid_lat=Decimal(f"{LAT}"))
    login_as(make_user("planner-base", roles.PLANNERS))

    page.goto(live_server.url + f"/sites/areas/{area.pk}/")
    area_map = page.locator("#area-map")
    area_map.locator(".base-area-label").first.wait_for()

    assert area_map.locator(".base-area-label").all_inner_texts() == ["Fenglin north"]
    assert _painted(page, "#area-map") > 200  # the dashed outline: no network is loaded
    attribution = area_map.locator(".leaflet-control-attribution").inner_text()
    assert "No walking network loaded" in attribution
    page.wait_for_function("() => !document.querySelector('#area-map .leaflet-zoom-anim')")
    screenshot("base-layer-area")


@pytest.mark.browser
@BROWSER_DB
def test_the_reach_is_shaded_along_the_streets(page, live_server, english, screenshot):
    make_walking_network(GRID, name="Grid streets")
    home = make_area(name="Home", centroid_lat=Decimal(f"{LAT}"), centroid_lng=Decimal(f"{LNG}"))

    page.goto(live_server.url + f"/map/?area={home.pk}")
    reach = page.locator("#service-map path.reach-area")
    reach.first.wait_for()

    assert reach.count() == 3
    assert page.locator("#service-map path.reach-5").count() == 1
    assert (
        "measured on the walking network Grid streets" in page.locator("#reach-legend").inner_text()
    )
    screenshot("reach-areas")
