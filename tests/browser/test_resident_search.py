"""A resident finds their housing estate by pinyin, lands on one card per site nearby, narrows
to 5 minutes; on a 320 px phone at 200% text nothing scrolls sideways; axe finds no serious
violation on these pages in Chinese and English."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import BROWSER_DB, describe_violations
from tests.builders import make_residential_point, make_service_type, make_site, make_site_service
from tests.public.builders import ORIGIN_LAT, ORIGIN_LNG, north_of

LNG = Decimal(f"{ORIGIN_LNG:.6f}")
PHONE = {"width": 320, "height": 640}


def residents_street():
    """零陵小区 with a life box 200 m away (three services), a clinic at 600 m (12 minutes) and
    a canteen under a safety check at 250 m."""
    estate = make_residential_point(
        code="ll",
        name="零陵小区",
        name_en="Lingling Xiaoqu",
        latitude=Decimal(f"{ORIGIN_LAT:.6f}"),
        longitude=LNG,
    )
    make_residential_point(code="ll2", name="零陵新村", name_en="Lingling Xincun")
    sites = {}
    for name, metres, codes, hazard in [
        ("生活盒子", 200, ("canteen", "laundry", "health_station"), False),
        ("社区诊所", 600, ("health_station",), False),
        ("长者食堂", 250, ("canteen",), True),
    ]:
        site = make_site(
            name=name,
            address=f"零陵路{metres}号",
            latitude=north_of(ORIGIN_LAT, metres),
            longitude=LNG,
            hazard_fire=hazard,
        )
        for code in codes:
            make_site_service(site, make_service_type(code), opening_hours="08:00–20:00")
        sites[name] = site
    return estate, sites


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


@pytest.mark.browser
@BROWSER_DB
def test_search_by_pinyin_then_one_card_per_site_then_five_minutes(page, live_server, screenshot):
    estate, _sites = residents_street()
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/map/")

    search = page.locator("#id_q")
    search.fill("lingling")
    option = page.get_by_role("option", name="零陵小区")
    expect(option).to_be_visible()
    expect(search).to_have_attribute("aria-expanded", "true")
    # Keyboard only: down to the estate, Enter.
    for _ in range(5):
        search.press("ArrowDown")
        if option.get_attribute("aria-selected") == "true":
            break
    expect(search).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    search.press("Enter")

    page.wait_for_url(f"**/map/?place=estate-{estate.pk}#results")
    expect(page.locator("#results")).to_contain_text("零陵小区")
    assert focused_id(page) == "results"
    cards = page.locator(".place-card")
    expect(cards).to_have_count(3)  # three sites, five services
    expect(cards.nth(0)).to_contain_text("生活盒子")
    expect(cards.nth(1).locator(".hazard-notice")).to_be_visible()
    screenshot("resident-search-results-phone")

    page.locator('#filter-minutes a[href*="minutes=5"]').click()
    page.wait_for_url("**minutes=5#results")
    expect(cards).to_have_count(2)  # the clinic is 12 minutes away
    assert focused_id(page) == "results"
    # Its health station is nearer in the life box, so it is not named beyond either.
    expect(page.locator("section.results")).not_to_contain_text("社区诊所")


@pytest.mark.browser
@BROWSER_DB
def test_without_javascript_the_search_lists_places_as_links(browser, live_server):
    estate, _sites = residents_street()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/map/")
    page.locator("#id_q").fill("llxq")
    page.locator("#place-search button[type=submit]").click()
    page.wait_for_url("**q=llxq#results")
    page.get_by_role("link", name="零陵小区").click()
    page.wait_for_url(f"**place=estate-{estate.pk}#results")
    assert page.locator(".place-card").count() == 3
    context.close()


def resident_pages(estate, sites) -> dict[str, str]:
    place = f"place=estate-{estate.pk}"
    return {
        "map": "/map/",
        "search": "/map/?q=lingling#results",
        "results": f"/map/?{place}#results",
        "results-5": f"/map/?{place}&minutes=5&category=health#results",
        "site": f"/places/{sites['长者食堂'].pk}/?{place}",
        "routes": "/routes/",
    }


@pytest.mark.browser
@BROWSER_DB
def test_at_320_px_and_200_percent_text_no_page_scrolls_sideways(page, live_server, screenshot):
    estate, sites = residents_street()
    page.set_viewport_size(PHONE)
    wide = {}
    for name, address in resident_pages(estate, sites).items():
        page.goto(live_server.url + address)
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        sizes = page.evaluate(
            "({scroll: document.documentElement.scrollWidth,"
            " client: document.documentElement.clientWidth})"
        )
        if sizes["scroll"] > sizes["client"]:
            screenshot(f"resident-wide-{name}")
            # What sticks out, to say where to look.
            sizes["widest"] = page.evaluate(
                """() => {
                    const edge = document.documentElement.clientWidth;
                    return [...document.querySelectorAll("body *")]
                        .filter((e) => e.getBoundingClientRect().right > edge)
                        .slice(-5)
                        .map((e) => `${e.tagName}.${e.className} ${e.textContent.slice(0, 40)}`);
                }"""
            )
            wide[name] = sizes
    assert not wide, wide


@pytest.mark.browser
@BROWSER_DB
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_serious_accessibility_violation_on_a_phone(page, live_server, axe, language):
    from django.conf import settings

    estate, sites = residents_street()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.set_viewport_size(PHONE)
    problems = {}
    for name, address in resident_pages(estate, sites).items():
        page.goto(live_server.url + address)
        page.wait_for_load_state("load")
        if name == "map":  # the suggestions open
            page.locator("#id_q").fill("lingling")
            expect(page.get_by_role("option").first).to_be_visible()
        violations = axe()
        if violations:
            problems[name] = describe_violations(violations)
    assert not problems, "\n".join(f"{name}: {text}" for name, text in problems.items())
