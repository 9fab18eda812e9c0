"""Several servers receiving the same submission at once store exactly one response."""

import uuid

import pytest
from django.db import connection

from surveys.forms import Submission
from surveys.models import Response, Survey, SurveyStatus
from surveys.services import submit_response
from tests.concurrency import all_at_once

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL's concurrent transactions (run with DATABASE_URL=postgres://...)",
)


@pytest.mark.django_db(transaction=True)
def test_threads_submitting_one_idempotency_key_store_one_response():
    survey = Survey.objects.create(
        title="Concurrency", slug="concurrency", status=SurveyStatus.OPEN
    )
    key = uuid.uuid4()
    threads = 8

    def submit():
        return submit_response(survey=survey, submission=Submission(), idempotency_key=key)

    results, errors = all_at_once([submit] * threads)

    assert errors == []
    assert len(results) == threads
    assert Response.objects.filter(survey=survey, idempotency_key=key).count() == 1
    assert sum(stored.created for stored in results) == 1
    # Every request is told about the same response, so each gets the same thank-you page.
    assert len({stored.response.pk for stored in results}) == 1
