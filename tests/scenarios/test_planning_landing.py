"""The planners' landing page starts with today: the gaps, the areas with most of them, the
open surveys' answers and the latest runs."""

import pytest
from django.urls import reverse

from surveys.models import SurveyStatus

pytestmark = pytest.mark.django_db


def test_the_planning_page_leads_with_gaps_and_survey_progress(english, planner, world):
    world["survey"].status = SurveyStatus.OPEN
    world["survey"].save()
    english.force_login(planner)
    response = english.get(reverse("scenarios:index"))
    overview = response.context["overview"]
    gaps = english.get(reverse("scenarios:gaps")).context["matrix"]["rows"]
    assert overview.gaps == sum(row.gaps for row in gaps) > 0
    assert overview.worst[0].gaps == max(row.gaps for row in gaps)
    [survey] = overview.surveys
    assert survey.answers == 10 and survey.answers_this_week == 10
    page = response.content.decode()
    assert "answers to" in page and "this week" in page
    assert page.index("Today") < page.index("Scenarios")
