"""The resident's form (with its error summary), the thank-you page, the results with their
charts, the text answers and the poster: no serious accessibility violation (axe-core), and no
sideways scrolling on a 320 px phone."""

import pytest
from django.urls import reverse

from fenglin import roles
from tests.browser.helpers import BROWSER_DB, describe_violations
from tests.builders import make_user


def _survey():
    from surveys.models import Survey

    return Survey.objects.order_by("pk").first()


@pytest.mark.browser
@BROWSER_DB
def test_survey_pages_are_accessible_and_fit_a_phone(page, live_server, demo, login_as, axe):
    page.set_viewport_size({"width": 320, "height": 640})
    survey = _survey()
    problems = {}

    def check(name: str) -> None:
        violations = axe()
        if violations:
            problems[name] = describe_violations(violations)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 1:
            problems[f"{name} width"] = f"{overflow} px wider than the screen"

    page.goto(live_server.url + survey.get_public_url())
    check("form")
    page.locator("#survey-submit").click()  # nothing answered: the error summary
    page.locator("#form-errors").wait_for()
    assert page.title().startswith(("错误", "Error"))  # Chinese once the catalogue has it
    check("form with errors")

    login_as(make_user("phone-planner", roles.PLANNERS))
    for name, url in (
        ("results", reverse("surveys:survey_results", args=[survey.pk])),
        ("text answers", reverse("surveys:text_answers", args=[survey.pk])),
        ("poster", reverse("surveys:survey_poster", args=[survey.pk])),
        ("detail", survey.get_absolute_url()),
        ("paper", reverse("surveys:paper_entry", args=[survey.pk])),
    ):
        assert page.goto(live_server.url + url).status == 200, name
        check(name)
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
