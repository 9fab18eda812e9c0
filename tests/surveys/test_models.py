"""Survey dates and the accepting rule; model invariants."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from surveys.models import Survey, SurveyStatus
from surveys.selectors import open_surveys
from tests.builders import make_question, make_survey

pytestmark = pytest.mark.django_db


def test_is_accepting_follows_status_and_dates():
    now = timezone.now()
    survey = make_survey(status=SurveyStatus.OPEN)
    assert survey.is_accepting(now)
    survey.opens_at = now + timedelta(hours=1)
    assert not survey.is_accepting(now) and survey.not_yet_open(now)
    survey.opens_at, survey.closes_at = now - timedelta(days=1), now
    assert not survey.is_accepting(now)
    survey.closes_at = now + timedelta(days=1)
    assert survey.is_accepting(now)
    survey.status = SurveyStatus.CLOSED
    assert not survey.is_accepting(now)


def test_open_surveys_are_those_accepting_now():
    now = timezone.now()
    accepting = make_survey()
    make_survey(status=SurveyStatus.DRAFT)
    make_survey(opens_at=now + timedelta(days=1))
    make_survey(opens_at=now - timedelta(days=2), closes_at=now - timedelta(days=1))
    found = open_surveys(now)
    assert found == [accepting]
    assert found[0].get_public_url() == f"/s/{accepting.slug}/"


def test_dates_must_be_in_order():
    now = timezone.now()
    survey = Survey(title="t", slug="t", opens_at=now, closes_at=now - timedelta(days=1))
    with pytest.raises(ValidationError):
        survey.full_clean()
    with pytest.raises(IntegrityError):
        survey.save()


def test_min_value_above_max_is_refused():
    survey = make_survey()
    q = make_question(survey, "number")
    q.min_value, q.max_value = 5, 1
    with pytest.raises(ValidationError):
        q.full_clean()
