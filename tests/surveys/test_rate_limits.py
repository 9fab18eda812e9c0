"""Rate limits of the public form that cannot be turned against residents, and submissions and
results that survive an outage of the shared cache (issue 15)."""

import logging

import pytest
from django.test import override_settings
from django.urls import reverse

from surveys.models import Response
from tests.builders import make_full_survey, valid_post

pytestmark = pytest.mark.django_db

BALANCER = "10.0.0.5"
# A Redis cache where nothing listens: every call fails to connect, as when Redis is down.
DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


@pytest.fixture
def setup(areas):
    survey, qs = make_full_survey()
    return survey, qs, areas


@pytest.fixture
def cache_down(_fresh_cache):
    # Inside _fresh_cache, so that it clears the working cache again after the test.
    with override_settings(CACHES=DEAD_REDIS):
        yield


def url(survey):
    return reverse("public_surveys:survey_form", args=[survey.slug])


def test_junk_posts_do_not_use_up_the_per_survey_limit(client, setup, settings):
    survey, qs, areas = setup
    settings.SURVEY_RATE_LIMITS = {"per_address": (100, 600), "per_survey": (3, 3600)}
    for i in range(10):
        # Only a CSRF-style token and nothing else: the form refuses it and stores nothing.
        junk = client.post(url(survey), {"csrfmiddlewaretoken": "x"}, REMOTE_ADDR=f"192.0.2.{i}")
        assert junk.status_code == 200
    honeypot = valid_post(qs, areas[0], website="http://spam.example")
    assert client.post(url(survey), honeypot, REMOTE_ADDR="192.0.2.50").status_code == 302
    assert Response.objects.count() == 0
    resident = client.post(url(survey), valid_post(qs, areas[0]), REMOTE_ADDR="198.51.100.1")
    assert resident.status_code == 302
    assert Response.objects.count() == 1


def test_junk_posts_from_one_address_do_not_lock_out_that_address(client, setup, settings):
    survey, qs, areas = setup
    settings.SURVEY_RATE_LIMITS = {"per_address": (2, 600), "per_survey": (100, 3600)}
    for _ in range(5):
        assert client.post(url(survey), {"csrfmiddlewaretoken": "x"}).status_code == 200
    assert client.post(url(survey), valid_post(qs, areas[0])).status_code == 302


def test_a_retry_of_a_stored_response_is_not_counted_again(client, setup, settings):
    survey, qs, areas = setup
    settings.SURVEY_RATE_LIMITS = {"per_address": (2, 600), "per_survey": (100, 3600)}
    data = valid_post(qs, areas[0])
    for _ in range(4):
        assert client.post(url(survey), data).status_code == 302
    assert client.post(url(survey), valid_post(qs, areas[0])).status_code == 302
    assert Response.objects.count() == 2
    assert client.post(url(survey), valid_post(qs, areas[0])).status_code == 429


def test_accepted_submissions_still_reach_the_limit(client, setup, settings):
    survey, qs, areas = setup
    settings.SURVEY_RATE_LIMITS = {"per_address": (2, 600), "per_survey": (100, 3600)}
    codes = [client.post(url(survey), valid_post(qs, areas[0])).status_code for _ in range(4)]
    assert codes == [302, 302, 429, 429]
    assert Response.objects.count() == 2


def test_behind_a_trusted_balancer_each_resident_has_their_own_limit(client, setup, settings):
    survey, qs, areas = setup
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.SURVEY_RATE_LIMITS = {"per_address": (2, 600), "per_survey": (100, 3600)}
    codes = [
        client.post(
            url(survey),
            valid_post(qs, areas[0]),
            REMOTE_ADDR=BALANCER,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        ).status_code
        for i in range(5)
    ]
    assert codes == [302] * 5
    # One resident is still limited, whatever they write into the header themselves.
    same = [
        client.post(
            url(survey),
            valid_post(qs, areas[0]),
            REMOTE_ADDR=BALANCER,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}, 198.51.100.99",
        ).status_code
        for i in range(3)
    ]
    assert same == [302, 302, 429]


def test_the_forwarded_header_is_ignored_unless_the_proxy_is_trusted(client, setup, settings):
    survey, qs, areas = setup
    settings.TRUSTED_PROXIES = []
    settings.SURVEY_RATE_LIMITS = {"per_address": (2, 600), "per_survey": (100, 3600)}
    codes = [
        client.post(
            url(survey),
            valid_post(qs, areas[0]),
            REMOTE_ADDR="192.0.2.1",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        ).status_code
        for i in range(3)
    ]
    assert codes == [302, 302, 429]


def test_with_the_cache_down_a_submission_is_stored_and_a_warning_logged(
    client, setup, settings, caplog, cache_down
):
    survey, qs, areas = setup
    settings.SURVEY_RATE_LIMITS = {"per_address": (1, 600), "per_survey": (1, 3600)}
    with caplog.at_level(logging.WARNING):
        codes = [client.post(url(survey), valid_post(qs, areas[0])).status_code for _ in range(2)]
    assert codes == [302, 302]
    assert Response.objects.count() == 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("cache" in r.getMessage().lower() for r in warnings)


def test_with_the_cache_down_the_results_page_still_answers(client, planner, setup):
    survey, qs, areas = setup
    client.post(url(survey), valid_post(qs, areas[0]))
    client.force_login(planner)
    with override_settings(CACHES=DEAD_REDIS):
        page = client.get(reverse("surveys:survey_results", args=[survey.pk]))
    assert page.status_code == 200
    assert page.context["results"]["totals"]["total"] == 1
