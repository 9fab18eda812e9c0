"""On PostgreSQL: several threads submit the same idempotency key at once; exactly one
response exists after, and every thread gets the thank-you page (no error)."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from surveys import selectors
from surveys.models import Answer, Response
from tests.builders import make_full_survey, valid_post

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
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            client = Client()
            barrier.wait(timeout=30)
            statuses.append(client.post(survey.get_public_url(), data).status_code)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert statuses == [302] * THREADS
    assert Response.objects.filter(idempotency_key=data["idempotency_key"]).count() == 1
    assert Answer.objects.filter(question=qs["multiple"]).count() == 2


def test_concurrent_distinct_submissions_are_all_stored(areas, settings):
    settings.SURVEY_RATE_LIMITS = {"per_address": (1000, 60), "per_survey": (1000, 60)}
    survey, qs = make_full_survey()
    payloads = [valid_post(qs, areas[i % 2]) for i in range(THREADS)]
    assert selectors.survey_results(survey)["totals"]["total"] == 0  # cached before the rush
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []

    def submit(data) -> None:
        try:
            barrier.wait(timeout=30)
            statuses.append(Client().post(survey.get_public_url(), data).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302] * THREADS
    assert Response.objects.filter(survey=survey).count() == THREADS
    survey.refresh_from_db()
    assert selectors.survey_results(survey)["totals"]["total"] == THREADS
