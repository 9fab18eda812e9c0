"""The staff survey page fits a 320 px phone: its facts (status badges, the long public address)
stack instead of pushing the page sideways."""

import pytest
from django.conf import settings

from fenglin import roles
from tests.browser.helpers import BROWSER_DB
from tests.builders import make_survey, make_user


@pytest.mark.browser
@BROWSER_DB
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_survey_page_does_not_scroll_sideways_on_a_phone(page, live_server, login_as, language):
    from surveys.models import QuestionKind, SurveyStatus
    from tests.builders import make_question

    survey = make_survey(
        slug="a-rather-long-survey-address-for-the-residents-of-fenglin-2026",
        status=SurveyStatus.OPEN,
    )
    make_question(survey, QuestionKind.SINGLE, choices=["是", "否"])
    login_as(make_user("planner-phone", roles.PLANNERS))
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(live_server.url + survey.get_absolute_url())
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1]
