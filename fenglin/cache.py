"""Calls on the shared cache that fail open.

The cache (Redis in production) only makes things faster or counts rate limits; when it is down
a resident's submission must still be stored and the results pages must still answer. Django's
Redis backend raises on a connection error, so each call that can live without the cache goes
through :func:`fail_open`: on a connection failure it logs a warning and returns a default.
"""

import logging
from collections.abc import Callable

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger("fenglin.cache")

# What a cache that cannot be reached raises: redis-py's errors, and socket errors from the
# other backends (memcached).
CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)


def fail_open[T](call: Callable[[], T], default: T, *, purpose: str) -> T:
    """``call()``, or ``default`` with a logged warning when the shared cache cannot be reached.

    Only connection failures are swallowed; any other error (a bug) still raises.
    """
    try:
        return call()
    except CACHE_ERRORS as error:
        logger.warning(
            "Shared cache unavailable for %s, carrying on without it: %s", purpose, error
        )
        return default


def remember[T](key: str, compute: Callable[[], T], *, timeout: float, purpose: str) -> T:
    """The value cached under ``key``, else ``compute()``, stored there for ``timeout`` seconds.

    For content-addressed keys (a digest of every input): a stored value is never stale, so
    nobody has to invalidate it. Without the shared cache the value is simply computed.
    """
    missing = object()
    found = fail_open(lambda: cache.get(key, missing), missing, purpose=purpose)
    if found is not missing:
        return found
    value = compute()
    fail_open(lambda: cache.set(key, value, timeout), None, purpose=purpose)
    return value
