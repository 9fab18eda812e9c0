"""axe-core finds no serious or critical violation on the main pages (demo data loaded).

axe-core comes from the npm registry (`npm ci` at the repository root) and is evaluated in the
page by Playwright, which the page's Content-Security-Policy does not block.
"""

import itertools

import pytest
from django.conf import settings
from django.urls import reverse

from fenglin import roles
from tests.browser.helpers import BROWSER_DB, describe_violations
from tests.builders import make_area, make_service_type, make_site, make_site_service, make_user


def _first(model_path: str):
    from django.apps import apps

    model = apps.get_model(model_path)
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"the demo data has no {model_path}"
    return obj


# name: (URL builder, who looks at it: None for a resident, else a role or "admin")
PAGES = {
    "home": (lambda: reverse("home"), None),
    "service-map": (
        lambda: reverse("public_service_map") + f"?area={_first('sites.Area').pk}",
        None,
    ),
    "route": (lambda: reverse("public_route_detail", args=["jingpin"]), None),
    "login": (lambda: reverse("login"), None),
    "survey-form": (lambda: _first("surveys.Survey").get_public_url(), None),
    "site-list": (lambda: reverse("sites:site_list"), roles.PLANNERS),
    "site-detail": (lambda: _first("sites.Site").get_absolute_url(), roles.PLANNERS),
    "survey-results": (
        lambda: reverse("surveys:survey_results", args=[_first("surveys.Survey").pk]),
        roles.PLANNERS,
    ),
    "coverage": (lambda: reverse("scenarios:coverage_list"), roles.PLANNERS),
    "shared-plan": (
        lambda: reverse("scenarios:scenario_share", args=[_first("scenarios.Scenario").pk]),
        roles.PLANNERS,
    ),
    "safety-dashboard": (lambda: reverse("sites:safety_dashboard"), roles.INSPECTORS),
    "safety-today": (lambda: reverse("sites:safety_today"), roles.INSPECTORS),
    "planning": (lambda: reverse("scenarios:index"), roles.PLANNERS),
    "gaps": (lambda: reverse("scenarios:gaps"), roles.PLANNERS),
    "demand": (lambda: reverse("scenarios:demand_list"), roles.PLANNERS),
    "provision": (lambda: reverse("scenarios:provision"), roles.PLANNERS),
    "scenario": (lambda: _first("scenarios.Scenario").get_absolute_url(), roles.PLANNERS),
    "area-detail": (lambda: _first("sites.Area").get_absolute_url(), roles.PLANNERS),
    "boundaries": (lambda: reverse("sites:boundary_report"), roles.PLANNERS),
    "resident-site": (
        lambda: reverse("public_site", args=[_first_operating_site().pk]),
        None,
    ),
}

# Each page in both languages, one of them on a phone.
STATES = [("zh-hans", {"width": 390, "height": 844}), ("en", {"width": 1280, "height": 900})]


def _first_operating_site():
    from sites.models import Site

    return Site.objects.operating().order_by("pk").first()


@pytest.mark.browser
@BROWSER_DB
def test_no_serious_accessibility_violation_on_the_main_pages(
    page, live_server, demo, login_as, axe, screenshot
):
    # One demo load for every page (it takes seconds); each page's findings are reported.
    staff = {role: make_user(f"a11y-{role}", role) for role in (roles.PLANNERS, roles.INSPECTORS)}
    problems = {}
    for (name, (url, role)), (language, viewport) in itertools.product(PAGES.items(), STATES):
        state = f"{name} ({language}, {viewport['width']} px)"
        page.context.clear_cookies()
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        page.set_viewport_size(viewport)
        if role is not None:
            login_as(staff[role])
        try:
            address = url()
        except Exception as exc:  # a page another issue has not built yet
            problems[state] = f"no page: {type(exc).__name__}: {exc}"
            continue
        response = page.goto(live_server.url + address)
        if response.status != 200:
            problems[state] = f"{address}: HTTP {response.status}"
            continue
        page.wait_for_load_state("load")
        screenshot(f"a11y-{name}-{language}")
        violations = axe()
        if violations:
            problems[state] = f"{address}\n{describe_violations(violations)}"

    assert not problems, "\n".join(f"{name}: {text}" for name, text in problems.items())


@pytest.mark.browser
@BROWSER_DB
def test_the_service_map_works_from_the_keyboard_alone_with_visible_focus(
    page, live_server, english
):
    make_area(name="Keyboard area", code="a-keyboard")
    make_site_service(make_site(name="Keyboard canteen"), make_service_type())
    page.goto(live_server.url + reverse("public_service_map"))

    focused = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused.append(
            page.evaluate(
                """() => {
                    const el = document.activeElement, style = getComputedStyle(el);
                    return {id: el.id, text: el.textContent.trim().slice(0, 40),
                            outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
                }"""
            )
        )
        if focused[-1]["id"] == "id_area":
            page.keyboard.press("ArrowDown")  # the first neighbourhood
    assert focused[0]["text"] == "Skip to content"
    assert "id_area" in [f["id"] for f in focused]
    invisible = [f for f in focused if f["outline"] == "none" or f["width"] < 2]
    assert not invisible, f"focus not visible on {invisible}"

    page.focus("#id_area")
    page.keyboard.press("Tab")  # the submit button follows the select
    assert page.evaluate("document.activeElement.textContent.trim()") == "Show services"
    page.keyboard.press("Enter")
    page.wait_for_url("**/map/?*area=*")
    assert page.get_by_role("heading", name="Within 15 minutes of Keyboard area").is_visible()
    assert page.get_by_text("Keyboard canteen").first.is_visible()
