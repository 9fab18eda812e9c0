"""On a phone the inspector's today page shows the overdue finding on the first screen, ahead of
a hundred checks due, and its tables are cards: nothing scrolls sideways."""

from datetime import timedelta

import pytest

from fenglin import roles
from sites.safety.schedules import shanghai_today
from sites.safety.services import NewFinding, record_inspection
from tests.browser.helpers import BROWSER_DB
from tests.builders import make_site, make_user

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@BROWSER_DB
def test_the_overdue_finding_is_on_the_first_screen_and_rows_are_cards(
    page, live_server, login_as, english, screenshot
):
    today = shanghai_today()
    for n in range(25):
        make_site(name=f"社区食堂 {n:02d}")  # 100 checks owed this month or quarter
    exits = make_site(name="天龙生活盒子")
    record_inspection(
        site=exits,
        kind="fire",
        mode="joint",
        date=today - timedelta(days=75),
        inspectors="王, 李",
        result="fail",
        findings=[NewFinding("Two of three exits blocked", today - timedelta(days=45))],
        today=today,
    )
    # A monthly fire self-check last done more than a whole month ago: an overdue check.
    record_inspection(
        site=make_site(name="零陵路231号"),
        kind="fire",
        mode="self",
        date=today - timedelta(days=70),
        inspectors="赵",
        result="pass",
        today=today,
    )
    login_as(make_user("phone-inspector", roles.INSPECTORS))
    page.set_viewport_size(PHONE)

    page.goto(live_server.url + "/start/")
    page.wait_for_url("**/sites/safety/today/")
    screenshot("inspector-today-phone")

    finding = page.locator("#overdue-findings td[data-label='Finding']", has_text="exits blocked")
    box = finding.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    assert page.get_by_text("45 days overdue").first.is_visible()

    # No sideways scrolling, and each row of the tables is a card of its own.
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
    displays = page.evaluate(
        "() => Array.from(document.querySelectorAll('table.cards-on-phone tbody tr'))"
        ".map(tr => getComputedStyle(tr).display)"
    )
    assert len(displays) >= 2 and set(displays) == {"block"}
    label = page.evaluate(
        "() => getComputedStyle(document.querySelector("
        "'#overdue-findings td[data-label]'), '::before').content"
    )
    assert label.strip('"') == "Site"
