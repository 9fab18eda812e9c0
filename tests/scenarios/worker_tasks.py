"""A task for the worker-killing test: the optimisation of a run whose solver never returns.

It runs in a real `db_worker` process (which imports it by its dotted path), so that the test
can kill the worker with SIGKILL in the middle of a solve.
"""

import time
from unittest import mock

from django.tasks import task

from scenarios import optimisation, runs


def _solve_forever(**kwargs):
    while True:
        time.sleep(1)


@task()
def optimise_forever(run_id: int) -> dict:
    with mock.patch.object(optimisation, "solve", _solve_forever):
        return runs.run_optimisation(run_id)
