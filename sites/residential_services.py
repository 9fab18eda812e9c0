"""Writes of residential points: the admin, an import and the demo save through these.

A point saved without an area gets the one its coordinates fall in, by the one rule
(sites.selectors.area_for_point), with the areas read once for all the points saved together.
"""

from collections.abc import Sequence

from django.db import transaction

from sites.models import Area, ResidentialPoint
from sites.signals import places_changed

# Rows per INSERT or UPDATE.
BATCH = 500


def place_in_areas(points: Sequence[ResidentialPoint]) -> None:
    """Give each point without an area the one its coordinates fall in, if any."""
    from sites.selectors import area_for_point

    unplaced = [point for point in points if point.area_id is None]
    areas = list(Area.objects.all()) if unplaced else []
    for point in unplaced:
        point.area = area_for_point(point.latitude, point.longitude, areas)


@transaction.atomic
def save_residential_point(*, point: ResidentialPoint) -> ResidentialPoint:
    """Save a new or edited, validated point (the admin, the demo)."""
    place_in_areas([point])
    point.save()
    return point


@transaction.atomic
def create_residential_points(*, points: Sequence[ResidentialPoint]) -> list[ResidentialPoint]:
    """Save new, validated points (an import), a query per batch."""
    place_in_areas(points)
    created = ResidentialPoint.objects.bulk_create(list(points), batch_size=BATCH)
    places_changed.send(sender=ResidentialPoint)
    return created


@transaction.atomic
def update_residential_points(
    *, changes: Sequence[tuple[ResidentialPoint, dict]], fields: Sequence[str]
) -> int:
    """Save validated edits of stored points (an import), each given with the values it was
    loaded with: only the points and the fields that changed are written. Returns how many
    points changed."""
    points = [point for point, _before in changes]
    place_in_areas(points)
    opts = ResidentialPoint._meta
    changed, changed_fields = [], set()
    for point, before in changes:
        differ = {
            name for name in fields if getattr(point, opts.get_field(name).attname) != before[name]
        }
        if differ:
            changed.append(point)
            changed_fields |= differ
    if changed:
        update_fields = [name for name in fields if name in changed_fields]
        ResidentialPoint.objects.bulk_update(changed, update_fields, batch_size=BATCH)
        places_changed.send(sender=ResidentialPoint)
    return len(changed)
