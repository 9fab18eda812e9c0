"""Fixed-window rate limits for the public survey form, counted in Django's cache.

Each limit is (requests, window in seconds). A window is keyed by its number since the epoch,
so every app server sharing the cache (CACHE_URL) counts in the same bucket and old buckets
simply expire. Counting is approximate only across a window edge, which is enough to stop a
flood while letting a busy WeChat group through.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

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


def _hit(key: str, limit: int, window: int, now: float) -> Verdict:
    bucket = int(now // window)
    cache_key = f"surveys:rl:{key}:{window}:{bucket}"
    # incr() first: after the window's first hit it is the only call. add() is atomic and only
    # sets a missing key, so concurrent first hits do not reset the count.
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window's first hit, unless another server's came in between
        count = 1 if cache.add(cache_key, 1, timeout=window + 5) else cache.incr(cache_key)
    if count > limit:
        return Verdict(False, retry_after=int((bucket + 1) * window - now) + 1)
    return Verdict(True)


def check_submission(*, survey_id: int, client_hash: str, now: float | None = None) -> Verdict:
    """Count one submission attempt against every limit; refuse when any is exceeded."""
    now = time.time() if now is None else now
    configured = limits()
    checks = [
        (f"addr:{survey_id}:{client_hash}", *configured["per_address"]),
        (f"survey:{survey_id}", *configured["per_survey"]),
    ]
    for key, limit, window in checks:
        verdict = _hit(key, limit, window, now)
        if not verdict.allowed:
            return verdict
    return Verdict(True)


def client_address(request) -> str:
    """The client's address as the server saw it (set SECURE_PROXY_SSL_HEADER-style proxies to
    pass the real one in REMOTE_ADDR, e.g. gunicorn's --forwarded-allow-ips)."""
    return request.META.get("REMOTE_ADDR", "") or ""


def salted_hash(value: str, purpose: str) -> str:
    """A salted SHA-256 of a value we must not keep in clear (client addresses, device ids)."""
    salt = settings.ADDRESS_HASH_SALT
    return hashlib.sha256(f"{purpose}:{salt}:{value}".encode()).hexdigest()
