"""Which neighbourhood area a point is in: one rule for a site and for a resident's pin."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from shapely.errors import ShapelyError
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from .geometry import haversine_m

NEAREST_CENTRE_MAX_M = 1000.0
"""A point outside every boundary joins an area without one only if that area's centre lies
within this many metres (straight line): about the size of one of the street's neighbourhood
areas, so a pin dropped far outside the street stays without an area rather than being pulled
into the nearest one."""


def area_index_for_point(
    lat: float,
    lng: float,
    boundaries: Sequence[Mapping[str, Any] | None],
    centre_lat: ArrayLike,
    centre_lng: ArrayLike,
    *,
    max_centre_m: float = NEAREST_CENTRE_MAX_M,
) -> int | None:
    """The position (in ``boundaries``) of the area a point is in, or None.

    The same rule for a site being registered and for a resident's pin, because both answer
    "whose neighbourhood is this?" and the demand a survey counts must fall in the area whose
    sites serve it:

    1. A point inside an area's boundary (a GeoJSON Polygon or MultiPolygon, longitude first)
       is in that area. A point on the boundary line counts as inside, so a pin on the street
       that divides two areas is not lost; where boundaries overlap, the first area listed wins.
    2. A point outside every boundary is in the area with the nearest centre (straight line)
       within ``max_centre_m`` — but only among the areas that have no boundary. An area with a
       drawn boundary has said where it ends: a point outside it is not its, however near its
       centre. Where no boundary is drawn, the centre is all that is known.
    3. Otherwise None: the point is left without an area (staff can still choose one).

    A boundary that cannot be read counts as no boundary (its area's centre stands in), so a
    malformed stored value never stops a site being saved or a resident's answer.
    ``centre_lat``/``centre_lng`` are in the same order as ``boundaries``.
    """
    point = Point(float(lng), float(lat))
    unbounded = []
    for i, boundary in enumerate(boundaries):
        polygon = _polygon(boundary)
        if polygon is None:
            unbounded.append(i)
        elif polygon.covers(point):
            return i
    if not unbounded:
        return None
    which = np.array(unbounded)
    distances = haversine_m(
        float(lat),
        float(lng),
        np.asarray(centre_lat, dtype=float)[which],
        np.asarray(centre_lng, dtype=float)[which],
    )
    best = int(np.argmin(distances))  # ties: the first listed
    return int(which[best]) if distances[best] <= max_centre_m else None


def _polygon(boundary: Mapping[str, Any] | None) -> BaseGeometry | None:
    """The boundary as a shapely geometry, or None when there is none or it cannot be read."""
    if not boundary:
        return None
    try:
        polygon = shape(boundary)
    except (ShapelyError, ValueError, TypeError, AttributeError, KeyError, IndexError):
        return None
    return None if polygon.is_empty else polygon
