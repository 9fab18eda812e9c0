"""The first look: the home page opens and draws the street's map with its sites."""

import pytest

from tests.browser.helpers import BROWSER_DB
from tests.builders import make_service_type, make_site, make_site_service


@pytest.mark.browser
@BROWSER_DB
def test_the_home_page_opens_and_draws_the_street_map(page, live_server, screenshot):
    for name in ("天龙生活盒子", "零陵路231号"):
        make_site(name=name, status="operating")
    make_site(name="Candidate premises", status="candidate")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(live_server.url + "/")

    street_map = page.locator("#street-map")
    street_map.wait_for()
    assert "leaflet-container" in street_map.get_attribute("class")
    # One circle marker per operating site, none for the candidate.
    markers = street_map.locator("path.leaflet-interactive")
    markers.first.wait_for()
    assert markers.count() == 2
    assert street_map.bounding_box()["height"] >= 200
    assert errors == []
    screenshot("home")


@pytest.mark.browser
@BROWSER_DB
def test_the_service_map_drops_a_pin_and_lists_the_nearest_services(
    page, live_server, english, screenshot
):
    site = make_site(name="Canteen by the park", status="operating")
    make_site_service(site, make_service_type("canteen"), opening_hours="07:00–19:00")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(live_server.url + "/map/")
    service_map = page.locator("#service-map")
    service_map.locator("path.leaflet-interactive").first.wait_for()
    box = service_map.bounding_box()
    # Beside the site, not on its marker (a marker takes the click for its popup).
    service_map.click(position={"x": box["width"] / 2 - 60, "y": box["height"] / 2 + 40})

    page.wait_for_url("**/map/?*lat=*")
    assert page.get_by_role("heading", name="Within 15 minutes of the pin you dropped").is_visible()
    assert page.get_by_text("Canteen by the park").first.is_visible()
    assert page.get_by_text("07:00–19:00").is_visible()
    screenshot("service-map-pin")


@pytest.mark.browser
@BROWSER_DB
def test_use_my_location_measures_from_where_the_phone_is(page, live_server, english):
    site = make_site(name="Health station nearby", status="operating")
    make_site_service(site, make_service_type("health_station"))
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 31.1925, "longitude": 121.4545})

    page.goto(live_server.url + "/map/")
    page.get_by_role("button", name="Use my location").click()

    page.wait_for_url("**/map/?*lat=31.192500*")
    assert page.get_by_role("heading", name="Within 15 minutes of the pin you dropped").is_visible()
    assert page.get_by_text("Health station nearby").first.is_visible()
