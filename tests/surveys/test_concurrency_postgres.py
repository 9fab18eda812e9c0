"""On PostgreSQL: several threads submit the same idempotency key at once; exactly one
response exists after, and every thread gets the thank-you page (no error)."""

import pytest
from django.db import connection
from django.test import Client

from surveys import selectors
from surveys.models import Answer, Response
from tests.builders import make_full_survey, valid_post
from tests.concurrency import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")


def test_concurrent_duplicates_end_as_one_response(areas, settings):
    settings.SURVEY_RATE_LIMITS = {"per_address": (1000, 60), "per_survey": (1000, 60)}
    survey, qs = make_full_survey()
    data = valid_post(qs, areas[0])

    def submit() -> int:
        return Client().post(survey.get_public_url(), data).status_code

    statuses, errors = all_at_once([submit] * THREADS)
    assert not errors
    assert statuses == [302] * THREADS
    assert Response.objects.filter(idempotency_key=data["idempotency_key"]).count() == 1
    assert Answer.objects.filter(question=qs["multiple"]).count() == 2


def test_concurrent_distinct_submissions_are_all_stored(areas, settings):
    settings.SURVEY_RATE_LIMITS = {"per_address": (1000, 60), "per_survey": (1000, 60)}
    survey, qs = make_full_survey()
    payloads = [valid_post(qs, areas[i % 2]) for i in range(THREADS)]
    assert selectors.survey_results(survey)["totals"]["total"] == 0  # cached before the rush

    def submitting(data):
        return lambda: Client().post(survey.get_public_url(), data).status_code

    statuses, _errors = all_at_once([submitting(p) for p in payloads])
    assert statuses == [302] * THREADS
    assert Response.objects.filter(survey=survey).count() == THREADS
    survey.refresh_from_db()
    assert selectors.survey_results(survey)["totals"]["total"] == THREADS
