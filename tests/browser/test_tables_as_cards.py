"""Staff lists become cards on a phone, each value under its column's name, instead of seven
columns of Chinese wrapped one character per line; on a desktop they stay tables."""

import pytest

from fenglin import roles
from tests.browser.helpers import BROWSER_DB
from tests.builders import make_site, make_user


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.browser
@BROWSER_DB
def test_the_site_list_is_cards_on_a_phone_and_a_table_on_a_desktop(page, live_server, login_as):
    for i in range(3):
        make_site(name=f"枫林路{i}号社区综合服务站点", address=f"枫林路{i}号")
    login_as(make_user("planner-cards", roles.PLANNERS))

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/sites/")
    table = page.locator("#site-table")
    assert "cards-on-phone" in table.get_attribute("class")
    first = table.locator("tbody tr").first
    assert first.evaluate("row => getComputedStyle(row).display") == "block"
    labels = first.locator("td[data-label]").evaluate_all(
        "cells => cells.map(c => c.dataset.label)"
    )
    assert labels and all(labels)  # every value says its column
    assert no_sideways_scroll(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    assert first.evaluate("row => getComputedStyle(row).display") == "table-row"
