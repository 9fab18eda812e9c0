"""Checks on neighbourhood boundaries: inside the street's outline, no overlaps, gaps.

Boundaries come in as GeoJSON Polygons or MultiPolygons (longitude first, WGS-84) and are
measured in metres on one local equirectangular projection
(:class:`siting.geometry.LocalProjection`), faithful at the scale of a street. Hand-drawn and
imported boundaries never meet exactly, so each check has a tolerance: a boundary may stray
:data:`OUTLINE_TOLERANCE_M` outside the outline, and two boundaries may share a sliver up to
:data:`OVERLAP_MAX_SHARE` of the smaller one and :data:`OVERLAP_MAX_M2`. The functions return
findings; what to do with them (refuse a form, list them in a report) is the caller's.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.errors import ShapelyError
from shapely.geometry import MultiPoint, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from .geometry import EARTH_RADIUS_M, LocalProjection

OUTLINE_TOLERANCE_M = 10.0
"""How far (metres) a boundary may reach outside the street's outline before it is reported:
about the width of a pavement, more than a careful hand-drawn line misses by."""

OVERLAP_MAX_SHARE = 0.01
OVERLAP_MAX_M2 = 200.0
"""Two boundaries overlap when they share more than this share of the smaller one or more than
this many square metres: a shared street drawn twice is a sliver, a building is not."""


@dataclass(frozen=True)
class OutlineFinding:
    """How a boundary lies against the street's outline."""

    inside: bool  # within the outline, give or take the tolerance
    outside_m2: float  # area of the boundary outside the outline
    farthest_m: float  # farthest reach of the boundary outside the outline


@dataclass(frozen=True)
class Overlap:
    """Two boundaries sharing more ground than the tolerance allows."""

    first: Hashable
    second: Hashable
    area_m2: float
    share: float  # of the smaller of the two


@dataclass(frozen=True)
class Report:
    """The findings for a set of boundaries against each other and the outline."""

    unreadable: list[Hashable]  # given but not a polygon that can be read
    outline: dict[Hashable, OutlineFinding]  # empty without an outline
    overlaps: list[Overlap]
    gap_share: float | None  # share of the outline no boundary covers; None without one


def read_polygon(geojson: Mapping[str, Any] | None) -> BaseGeometry | None:
    """A GeoJSON Polygon or MultiPolygon as a valid, non-empty shapely geometry, else None."""
    if not isinstance(geojson, Mapping) or geojson.get("type") not in ("Polygon", "MultiPolygon"):
        return None
    try:
        geometry = shape(geojson)
    except (ShapelyError, ValueError, TypeError, AttributeError, KeyError, IndexError):
        return None
    if geometry.is_empty or not geometry.is_valid:
        return None
    return geometry


def largest_part(geojson: Mapping[str, Any]) -> tuple[dict, int]:
    """A Polygon for a Polygon or MultiPolygon: the largest part of a MultiPolygon (by area in
    metres) and how many parts it had, so that the caller can say what was left out."""
    if geojson.get("type") != "MultiPolygon":
        return dict(geojson), 1
    parts = [{"type": "Polygon", "coordinates": rings} for rings in geojson["coordinates"]]
    if len(parts) == 1:
        return parts[0], 1
    geometries = [read_polygon(part) for part in parts]
    projection = _projection_for([g for g in geometries if g is not None])
    areas = [_metric(g, projection).area if g is not None else -1.0 for g in geometries]
    return parts[int(np.argmax(areas))], len(parts)


def check_outline(
    boundary: BaseGeometry,
    outline: BaseGeometry,
    *,
    tolerance_m: float = OUTLINE_TOLERANCE_M,
    projection: LocalProjection | None = None,
) -> OutlineFinding:
    """Whether a boundary lies inside the outline, give or take ``tolerance_m``."""
    projection = projection or _projection_for([boundary, outline])
    b, o = _metric(boundary, projection), _metric(outline, projection)
    outside = b.difference(o)
    farthest = max((o.distance(shapely.Point(xy)) for xy in _vertices(b)), default=0.0)
    return OutlineFinding(
        inside=farthest <= tolerance_m,
        outside_m2=float(outside.area),
        farthest_m=float(farthest),
    )


def find_overlaps(
    boundaries: Mapping[Hashable, BaseGeometry],
    *,
    only: Hashable | None = None,
    max_share: float = OVERLAP_MAX_SHARE,
    max_m2: float = OVERLAP_MAX_M2,
    projection: LocalProjection | None = None,
) -> list[Overlap]:
    """Pairs of boundaries overlapping beyond the tolerance, in the mapping's order; with
    ``only``, just the pairs that include that key (one area being edited)."""
    keys = list(boundaries)
    projection = projection or _projection_for(list(boundaries.values()))
    metric = [_metric(boundaries[k], projection) for k in keys]
    tree = shapely.STRtree(metric)
    found = []
    for i, j in zip(*tree.query(metric, predicate="intersects"), strict=True):
        if i >= j or (only is not None and only not in (keys[i], keys[j])):
            continue
        area = float(metric[i].intersection(metric[j]).area)
        share = area / min(metric[i].area, metric[j].area)
        if area > max_m2 or share > max_share:
            found.append(Overlap(keys[i], keys[j], area, share))
    return sorted(found, key=lambda o: (keys.index(o.first), keys.index(o.second)))


def gap_share(outline: BaseGeometry, boundaries: Sequence[BaseGeometry]) -> float:
    """The share (0–1) of the outline that no boundary covers."""
    projection = _projection_for([outline, *boundaries])
    o = _metric(outline, projection)
    if o.area == 0:
        return 0.0
    covered = shapely.union_all([_metric(b, projection) for b in boundaries]).intersection(o)
    return float(max(0.0, 1 - covered.area / o.area))


def check_boundaries(
    boundaries: Mapping[Hashable, Mapping[str, Any] | None],
    outline: Mapping[str, Any] | None,
) -> Report:
    """Every check on a set of boundaries (None for an area without one) and the outline."""
    given = {k: b for k, b in boundaries.items() if b}
    shapes = {k: read_polygon(b) for k, b in given.items()}
    unreadable = [k for k, s in shapes.items() if s is None]
    readable = {k: s for k, s in shapes.items() if s is not None}
    street = read_polygon(outline)
    projection = _projection_for([*readable.values(), *([street] if street else [])])
    findings = {}
    if street is not None:
        findings = {k: check_outline(s, street, projection=projection) for k, s in readable.items()}
    return Report(
        unreadable=unreadable,
        outline=findings,
        overlaps=find_overlaps(readable, projection=projection) if readable else [],
        gap_share=gap_share(street, list(readable.values())) if street is not None else None,
    )


def voronoi_cells(outline: Mapping[str, Any], points: Sequence[tuple[float, float]]) -> list[dict]:
    """GeoJSON Polygons, one per ``(lat, lng)`` point in order: the part of the outline nearer
    to that point than to any other (Voronoi cells clipped to the outline). They tile the
    outline without overlapping, and each contains its point when the point is inside it —
    demo boundaries drawn from area centres."""
    street = read_polygon(outline)
    if street is None:
        raise ValueError("the outline is not a valid polygon")
    lat = np.array([p[0] for p in points], dtype=float)
    lng = np.array([p[1] for p in points], dtype=float)
    projection = _projection_for([street])
    o = _metric(street, projection)
    xy = projection.to_xy(lat, lng)
    cells = shapely.voronoi_polygons(MultiPoint(xy), extend_to=o.buffer(1000)).geoms
    tree = shapely.STRtree(list(cells))
    out = []
    for p in shapely.points(xy):
        cell = cells[int(tree.query(p, predicate="intersects")[0])].intersection(o)
        if cell.geom_type != "Polygon":  # a cell cut in two by a bend of the outline
            cell = max(getattr(cell, "geoms", [cell]), key=lambda g: g.area)
        out.append(_rounded(mapping(_degrees(cell, projection))))
    return out


# --- Projection ----------------------------------------------------------------------------


def _projection_for(geometries: Sequence[BaseGeometry]) -> LocalProjection:
    coords = np.concatenate([shapely.get_coordinates(g) for g in geometries] or [np.zeros((0, 2))])
    return LocalProjection.around(coords[:, 1], coords[:, 0])


def _metric(geometry: BaseGeometry, projection: LocalProjection) -> BaseGeometry:
    return shapely.transform(geometry, lambda c: projection.to_xy(c[:, 1], c[:, 0]))


def _degrees(geometry: BaseGeometry, projection: LocalProjection) -> BaseGeometry:
    k = np.radians(1.0) * EARTH_RADIUS_M

    def inverse(c):
        lng = projection.lng0 + c[:, 0] / (k * np.cos(np.radians(projection.lat0)))
        lat = projection.lat0 + c[:, 1] / k
        return np.column_stack([lng, lat])

    return shapely.transform(geometry, inverse)


def _vertices(geometry: BaseGeometry) -> np.ndarray:
    return shapely.get_coordinates(geometry)


def _rounded(geojson: dict) -> dict:
    """Six decimals (about 10 cm), as coordinates are stored elsewhere in the app."""
    rings = [[[round(x, 6), round(y, 6)] for x, y in ring] for ring in geojson["coordinates"]]
    polygon = Polygon(rings[0], rings[1:])
    if not polygon.is_valid:  # rounding folded a sliver: keep the unrounded ring
        rings = [[list(xy) for xy in ring] for ring in geojson["coordinates"]]
    return {"type": "Polygon", "coordinates": rings}
