"""Running several calls at the same moment, each in its own thread and database connection."""

import threading
from collections.abc import Callable, Sequence

from django.db import connections


def all_at_once[T](
    calls: Sequence[Callable[[], T]], *, timeout: float = 60
) -> tuple[list[T], list[BaseException]]:
    """Start every call in its own thread, release them together at a barrier, and return what
    they returned and what they raised (a thread's exception would otherwise be lost)."""
    barrier = threading.Barrier(len(calls))
    results: list[T] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], T]) -> None:
        try:
            barrier.wait(timeout=timeout / 2)
            results.append(call())
        except BaseException as exc:  # noqa: BLE001 - handed to the test, which asserts on it
            errors.append(exc)
        finally:
            # Each thread opened its own connection; the test database cannot be dropped
            # while one stays open.
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results, errors
