"""Fixed-window rate limits for the public survey form, counted in Django's cache.

Each limit is (submissions, window in seconds). A window is keyed by its number since the
epoch, so every app server sharing the cache (CACHE_URL) counts in the same bucket and old
buckets simply expire. Counting is approximate only across a window edge, which is enough to
stop a flood while letting a busy WeChat group through.

Only accepted (stored) submissions are counted: the view checks the limits before storing and
records the submission after, so junk posts cannot use up a survey's limit and lock residents
out. Submissions in flight at the same moment may overshoot a limit by their number, which a
safety valve can afford. When the cache is down the limits fail open (fenglin.cache).
"""

import hashlib
import time
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.cache import cache

from fenglin.cache import fail_open

DEFAULT_LIMITS = {
    # Submissions from one address to one survey: a household shares a router, so be generous.
    "per_address": (30, 600),
    # Submissions to one survey from everyone: a safety valve against floods.
    "per_survey": (6000, 3600),
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


def limits() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_LIMITS, **getattr(settings, "SURVEY_RATE_LIMITS", {})}


def _windows(survey_id: int, client_hash: str, now: float) -> list[tuple[str, int, int, int]]:
    """(cache key, limit, window, bucket) for every limit on one submission."""
    configured = limits()
    checks = [
        (f"addr:{survey_id}:{client_hash}", *configured["per_address"]),
        (f"survey:{survey_id}", *configured["per_survey"]),
    ]
    rows = []
    for key, limit, window in checks:
        bucket = int(now // window)
        rows.append((f"surveys:rl:{key}:{window}:{bucket}", limit, window, bucket))
    return rows


def check_submission(*, survey_id: int, client_hash: str, now: float | None = None) -> Verdict:
    """Whether one more submission may be stored, without counting it (one cache call)."""
    now = time.time() if now is None else now
    windows = _windows(survey_id, client_hash, now)
    counts = fail_open(
        lambda: cache.get_many([key for key, *_rest in windows]), {}, purpose="rate limits"
    )
    for key, limit, window, bucket in windows:
        if counts.get(key, 0) >= limit:
            return Verdict(False, retry_after=int((bucket + 1) * window - now) + 1)
    return Verdict(True)


def _count(key: str, window: int) -> None:
    # incr() first: after the window's first hit it is the only call. add() is atomic and only
    # sets a missing key, so concurrent first hits do not reset the count.
    try:
        cache.incr(key)
    except ValueError:  # the window's first hit, unless another server's came in between
        if not cache.add(key, 1, timeout=window + 5):
            cache.incr(key)


def record_submission(*, survey_id: int, client_hash: str, now: float | None = None) -> None:
    """Count one accepted (stored) submission against every limit."""
    now = time.time() if now is None else now
    for key, _limit, window, _bucket in _windows(survey_id, client_hash, now):
        fail_open(partial(_count, key, window), None, purpose="rate limits")


def salted_hash(value: str, purpose: str) -> str:
    """A salted SHA-256 of a value we must not keep in clear (client addresses, device ids)."""
    salt = settings.ADDRESS_HASH_SALT
    return hashlib.sha256(f"{purpose}:{salt}:{value}".encode()).hexdigest()
