"""The shared cache of a production deployment: CACHE_URL=redis://... (README, "Deployment").

Rate limits must count across every app server, so they are checked here against a real Redis
when one answers at REDIS_TEST_URL (default: database 15 of a local Redis); otherwise skipped.
"""

import os
import socket
import urllib.parse

import environ
import pytest
from django.core.cache import cache, caches

from surveys import ratelimit

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def _redis_answers() -> bool:
    parts = urllib.parse.urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _redis_answers(), reason=f"no Redis at {REDIS_URL}")


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {"default": environ.Env.cache_url_config(REDIS_URL)}
    cache.clear()
    yield caches["default"]
    cache.clear()


def test_cache_url_with_redis_gives_djangos_redis_backend(redis_cache):
    assert type(redis_cache).__module__ == "django.core.cache.backends.redis"
    redis_cache.set("fenglin:probe", {"ok": 1})
    assert redis_cache.get("fenglin:probe") == {"ok": 1}


def test_rate_limit_counts_in_redis_and_refuses_past_the_limit(redis_cache, settings):
    settings.SURVEY_RATE_LIMITS = {"per_address": (2, 600), "per_survey": (100, 600)}
    verdicts = []
    for _ in range(3):
        verdict = ratelimit.check_submission(survey_id=1, client_hash="h", now=1000.0)
        verdicts.append(verdict)
        if verdict.allowed:  # stored: the view records only what it stored
            ratelimit.record_submission(survey_id=1, client_hash="h", now=1000.0)
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert 0 < verdicts[2].retry_after <= 600
    # Another address is counted apart.
    assert ratelimit.check_submission(survey_id=1, client_hash="other", now=1000.0).allowed
