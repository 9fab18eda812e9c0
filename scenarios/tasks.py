"""Background tasks (Django's `django.tasks`; django-tasks-db's database backend in production).

The run's progress, heartbeat and cancel flag live on `OptimisationRun`, which the task updates
and the progress page polls; the backend's own result only says whether the task function
returned. A worker killed mid-task leaves no result at all: the run's silent heartbeat ends it.
"""

from django.tasks import task

from scenarios import runs, travel


@task()
def optimise(run_id: int) -> dict:
    """Solve one optimisation run and save its answer as a new scenario."""
    return runs.run_optimisation(run_id)


@task()
def warm_travel_times() -> dict:
    """Measure the walks the planning pages read (demand points and area centres to every site)
    so that the first page after a change of network, sites or places finds them cached."""
    return travel.warm()
