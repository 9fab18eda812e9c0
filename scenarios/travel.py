"""Travel times measured once per change, in the background.

A change of the walking network, of a site's position or of where people live (areas, their
boundaries, residential points) changes the walks every planning page reads. Each such change,
once committed, enqueues one `scenarios.tasks.warm_travel_times`, which measures the matrices
(:mod:`sites.travel`) into the shared cache; pages read them from there, and a page that comes
first measures them itself (the cache key is the same). Many changes in one transaction (an
import of sixty sites) enqueue one task.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from scenarios.inputs import Parameters, today_inputs


def warm() -> dict:
    """Measure today's plan matrices (the same keys as the pages') and say what was measured."""
    inputs = today_inputs(params=Parameters(), service_types=[])
    points, centres = inputs.walks, inputs.centre_walks
    return {
        "model": points.model.key,
        "points": points.walks.shape[0],
        "sites": points.walks.shape[1],
        "pairs": int(points.walks.nnz + centres.walks.nnz),
    }


def _enqueue() -> None:
    from scenarios.tasks import warm_travel_times  # the task module imports this one

    warm_travel_times.enqueue()


def schedule_warming(**_kwargs) -> None:
    """After the current transaction commits, enqueue one warming task (once per transaction)."""
    # Django keeps the callbacks waiting for the commit in run_on_commit (and drops them on a
    # rollback), so one look there says whether this transaction already has its task.
    if any(callback[1] is _enqueue for callback in connection.run_on_commit):
        return
    transaction.on_commit(_enqueue)


def connect() -> None:
    """Warm after every change of what walks are measured between or on."""
    from sites.models import Area, ResidentialPoint, Site, WalkingNetwork
    from sites.network import network_activated
    from sites.signals import places_changed

    for model in (Site, Area, ResidentialPoint):
        post_save.connect(schedule_warming, sender=model, dispatch_uid=f"warm:{model.__name__}")
        post_delete.connect(schedule_warming, sender=model, dispatch_uid=f"warm:{model.__name__}:d")
    network_activated.connect(schedule_warming, sender=WalkingNetwork, dispatch_uid="warm:network")
    places_changed.connect(schedule_warming, dispatch_uid="warm:imports")
