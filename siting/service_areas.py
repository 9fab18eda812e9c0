"""Where a walk of a given length reaches: network service areas, drawn instead of circles.

A walk on the network is connector + network path (:mod:`siting.network`), so the area within
``d`` metres of an origin is made of the streets reachable within ``d``: the connector from the
origin to where it joins the network, then every segment or part of a segment whose walking
distance from the origin is at most ``d`` (a segment half reached is drawn half way, from each
end that is reached). Those lines, widened by a few tens of metres on a local metric projection
and merged, are the area a map shades: the strip a resident can reach along the streets, not
the far bank of a river with no bridge in reach.

Where no network is loaded a walk is the straight line × the detour factor, so the area is a
circle of ``d / detour`` metres: :func:`straight_line_areas` draws it, and the page says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from .geometry import EARTH_RADIUS_M, LocalProjection
from .network import WalkingNetwork, _site_graph

# How far either side of a reached street the area extends (metres): the buildings along it.
STREET_WIDTH_M = 30.0
# Vertices of the drawn outline may move this far (metres) to keep the GeoJSON small.
SIMPLIFY_M = 2.0


def service_areas(
    network: WalkingNetwork,
    lat: float,
    lng: float,
    distances_m: Sequence[float],
    *,
    width_m: float = STREET_WIDTH_M,
) -> list[shapely.Geometry]:
    """For each distance, the (Multi)Polygon in WGS-84 (x = longitude, y = latitude) of the
    streets a walk from ``(lat, lng)`` reaches within it, ``width_m`` either side.

    An empty polygon where not even the connector can be walked (a distance of 0). Raises
    ValueError for a distance that is not a finite number ≥ 0.
    """
    distances = _checked(distances_m)
    snap = network.snap([lat], [lng])
    connector = float(snap.connector_m[0])
    projection = network._projection
    xy = network._xy
    origin = projection.to_xy([lat], [lng])[0]
    joined = projection.to_xy(snap.lat, snap.lng)[0]
    # Network metres from the joining place to every node, up to the longest walk's budget.
    n = network.node_count
    budget = max(float(distances.max()) - connector, 0.0)
    graph = _site_graph(network, snap)
    reached = dijkstra(graph, directed=True, indices=n, limit=budget)[:n]

    areas = []
    for d in distances:
        pieces = [_part_of(origin, joined, min(d, connector) / connector if connector else 1.0)]
        left = d - connector
        if left >= 0:
            pieces.extend(_reached_parts(network, xy, reached, snap, left))
        if d > 0:
            # Each piece widened on its own, then merged: over ten times faster than widening
            # them as one geometry (bench/bench_base_layer.py).
            strips = shapely.buffer(shapely.linestrings(np.stack(pieces)), width_m, quad_segs=3)
            area = shapely.union_all(strips)
        else:
            area = shapely.Polygon()
        area = shapely.simplify(area, SIMPLIFY_M)
        areas.append(_to_lat_lng(area, projection))
    return areas


def straight_line_areas(
    lat: float, lng: float, distances_m: Sequence[float], *, detour: float
) -> list[shapely.Geometry]:
    """For each distance, the circle a walk of that many metres reaches where a walk is the
    straight line × ``detour``: ``distance / detour`` metres around the origin, in WGS-84."""
    distances = _checked(distances_m)
    projection = LocalProjection.around([lat], [lng])
    centre = shapely.Point(projection.to_xy([lat], [lng])[0])
    return [
        _to_lat_lng(shapely.buffer(centre, d / detour, quad_segs=16), projection) for d in distances
    ]


def _checked(distances_m: Sequence[float]) -> NDArray:
    distances = np.asarray(distances_m, dtype=float).ravel()
    if distances.size == 0 or not (np.isfinite(distances) & (distances >= 0)).all():
        raise ValueError("the distances must be finite numbers of metres ≥ 0")
    return distances


def _part_of(a: NDArray, b: NDArray, fraction: float) -> NDArray:
    """The segment from ``a`` towards ``b``, ``fraction`` of the way."""
    return np.stack([a, a + fraction * (b - a)])


def _reached_parts(network, xy: NDArray, reached: NDArray, snap, left: float) -> list[NDArray]:
    """The segments and parts of segments within ``left`` network metres of the joining
    place, as ``[[x, y], [x, y]]`` pieces."""
    u, v, length = network.edge_u, network.edge_v, network.edge_m
    # How far into each segment a walk gets from either end (0 where the end is out of reach).
    from_u = np.clip(left - reached[u], 0.0, length)
    from_v = np.clip(left - reached[v], 0.0, length)
    with np.errstate(invalid="ignore", divide="ignore"):
        fu = np.where(length > 0, from_u / length, 1.0)
        fv = np.where(length > 0, from_v / length, 1.0)
    whole = fu + fv >= 1.0
    a, b = xy[u], xy[v]
    parts = [np.stack([a[whole], b[whole]], axis=1)]
    for mask, start, end, f in ((~whole & (fu > 0), a, b, fu), (~whole & (fv > 0), b, a, fv)):
        parts.append(
            np.stack([start[mask], start[mask] + f[mask, None] * (end[mask] - start[mask])], 1)
        )
    # The joining segment itself, walked straight along from the joining place both ways.
    e = int(snap.edge[0])
    offset = float(snap.offset_m[0])
    if length[e] > 0:
        lo = max(offset - left, 0.0) / length[e]
        hi = min(offset + left, length[e]) / length[e]
        ab = b[e] - a[e]
        parts.append(np.stack([a[e] + lo * ab, a[e] + hi * ab])[None])
    return [piece for group in parts for piece in group]


def _to_lat_lng(geometry: shapely.Geometry, projection: LocalProjection) -> shapely.Geometry:
    """The inverse of :meth:`LocalProjection.to_xy`: metres back to (longitude, latitude)."""
    k = np.radians(1.0) * EARTH_RADIUS_M
    east = k * np.cos(np.radians(projection.lat0))

    def inverse(coords: NDArray) -> NDArray:
        return np.column_stack(
            [projection.lng0 + coords[:, 0] / east, projection.lat0 + coords[:, 1] / k]
        )

    return shapely.transform(geometry, inverse)
