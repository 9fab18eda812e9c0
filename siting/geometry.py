"""Distances on the sphere and sparse neighbour structures.

The one home of distances: :func:`haversine_m` (straight line) and :func:`walking_m` (straight
line × the detour factor of :mod:`siting.constants`, where no walking network is loaded).
Every distance that decides an answer is the haversine distance with R = 6,371,008.8 m computed
from the coordinates as written. A k-d tree only *filters* pairs, on a local equirectangular
projection where the points lie in one region away from the poles (a street, a district, a city:
its distortion is bounded, see :class:`LocalProjection`), and on 3-D points otherwise
(:class:`ChordSpace`: across the antimeridian, near a pole, or spread over a continent), so the
filter never loses a pair that the haversine distance would keep, anywhere on the globe. Memory
grows with the number of pairs within reach, never with demand × candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import csr_array
from scipy.spatial import cKDTree

from .constants import DETOUR_FACTOR

EARTH_RADIUS_M = 6_371_008.8

# Relative and absolute slack on every projected distance: covers floating-point rounding and the
# small poleward bulge of a great circle between two points (metres over kilometres).
_REL_SLACK = 1e-7
_ABS_SLACK_M = 0.01
_CHUNK = 4096  # demand points per k-d tree query in neighbours_within

MAX_PAIRS = 20_000_000
""":func:`neighbours_within` refuses to return more pairs than this (:class:`TooManyPairs`): the
matrix and the solvers' copies of it would take gigabytes (a radius of a few kilometres over a
city's points); a smaller radius or fewer points is the way out."""


class TooManyPairs(ValueError):
    """More demand-site pairs lie within the radius than :data:`MAX_PAIRS`."""


# Latitude margin (degrees) added to the band of the data when bounding the projection's scale.
# It also covers the poleward bulge of a great circle between two points of the band, which for
# points up to _PROJECTION_SPAN_DEG of longitude apart stays below 0.45 degrees.
_LAT_MARGIN_DEG = 0.5

# The projection filters only data within this latitude and longitude span (the longitudes as
# written: data across the antimeridian spans nearly 360) and scale distortion; else ChordSpace.
_PROJECTION_MAX_LAT = 80.0
_PROJECTION_SPAN_DEG = 20.0
_PROJECTION_MAX_DISTORTION = 1.2


def haversine_m(lat1: ArrayLike, lng1: ArrayLike, lat2: ArrayLike, lng2: ArrayLike) -> NDArray:
    """Great-circle distance in metres between points given in degrees (broadcasts)."""
    phi1 = np.radians(np.asarray(lat1, dtype=float))
    phi2 = np.radians(np.asarray(lat2, dtype=float))
    dphi = phi2 - phi1
    dlmb = np.radians(np.asarray(lng2, dtype=float) - np.asarray(lng1, dtype=float))
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def walking_m(
    lat1: ArrayLike,
    lng1: ArrayLike,
    lat2: ArrayLike,
    lng2: ArrayLike,
    detour: float = DETOUR_FACTOR,
) -> NDArray:
    """Walking metres between points given in degrees, estimated from the coordinates alone:
    the straight line (:func:`haversine_m`) × ``detour``, street distance over crow flies
    (broadcasts). Every page that derives a walk from coordinates uses this, so the area page,
    the gap matrix and the residents' map agree on the same pair of points."""
    return haversine_m(lat1, lng1, lat2, lng2) * detour


@dataclass(frozen=True)
class LocalProjection:
    """Equirectangular projection to metres around ``(lat0, lng0)``.

    ``x = R cos(lat0) (lng - lng0)``, ``y = R (lat - lat0)`` in radians. Along any path inside the
    latitude band ``[lat_min, lat_max]`` the true east-west scale ``cos(lat)`` differs from
    ``cos(lat0)`` by a bounded ratio, hence for points in the band::

        projected <= over * true      and      true <= under * projected

    (plus tiny slack), which lets a k-d tree on projected points filter candidates safely.
    """

    lat0: float
    lng0: float
    over: float  # bound on projected / true
    under: float  # bound on true / projected

    @classmethod
    def around(cls, lat: ArrayLike, lng: ArrayLike) -> LocalProjection:
        """A projection centred on the given points, with bounds valid for their latitude band."""
        lat = np.asarray(lat, dtype=float).ravel()
        lng = np.asarray(lng, dtype=float).ravel()
        if lat.size == 0:
            return cls(0.0, 0.0, 1.0, 1.0)
        lo, hi = float(lat.min()), float(lat.max())
        lat0 = (lo + hi) / 2
        lng0 = (float(lng.min()) + float(lng.max())) / 2
        lo = max(lo - _LAT_MARGIN_DEG, -89.9)
        hi = min(hi + _LAT_MARGIN_DEG, 89.9)
        cos0 = np.cos(np.radians(lat0))
        # cos is smallest at the band's pole-most edge and largest at its point nearest the equator.
        cos_min = min(np.cos(np.radians(lo)), np.cos(np.radians(hi)))
        cos_max = 1.0 if lo <= 0 <= hi else max(np.cos(np.radians(lo)), np.cos(np.radians(hi)))
        over = max(1.0, cos0 / cos_min) * (1 + _REL_SLACK)
        under = max(1.0, cos_max / cos0) * (1 + _REL_SLACK)
        return cls(lat0, lng0, float(over), float(under))

    def to_xy(self, lat: ArrayLike, lng: ArrayLike) -> NDArray:
        """Projected coordinates in metres, shape ``(n, 2)``."""
        lat = np.asarray(lat, dtype=float).ravel()
        lng = np.asarray(lng, dtype=float).ravel()
        k = np.radians(1.0) * EARTH_RADIUS_M
        x = k * np.cos(np.radians(self.lat0)) * (lng - self.lng0)
        y = k * (lat - self.lat0)
        return np.column_stack([x, y])

    def query_radius(self, true_radius_m: float) -> float:
        """Projected radius that contains every pair within ``true_radius_m`` (haversine)."""
        return true_radius_m * self.over + _ABS_SLACK_M

    def true_lower_bound(self, projected_m: NDArray) -> NDArray:
        """A lower bound on the haversine distance of a pair ``projected_m`` apart."""
        return np.maximum((np.asarray(projected_m) - _ABS_SLACK_M) / self.over, 0.0)


@dataclass(frozen=True)
class ChordSpace:
    """Points as 3-D vectors on the sphere of radius R (metres), for the k-d tree.

    The chord between two points grows with their great-circle distance ``d`` everywhere on the
    globe (``chord = 2R sin(d / 2R)``, and ``d >= chord``), so the filter is exact across the
    antimeridian and at the poles. Same interface as :class:`LocalProjection`.
    """

    def to_xy(self, lat: ArrayLike, lng: ArrayLike) -> NDArray:
        """3-D coordinates in metres, shape ``(n, 3)``."""
        return EARTH_RADIUS_M * _unit_xyz(_as_float(lat), _as_float(lng))

    def query_radius(self, true_radius_m: ArrayLike) -> NDArray | float:
        """Chord length that contains every pair within ``true_radius_m`` (haversine)."""
        d = np.clip(np.asarray(true_radius_m, dtype=float), 0.0, np.pi * EARTH_RADIUS_M)
        return 2 * EARTH_RADIUS_M * np.sin(d / (2 * EARTH_RADIUS_M)) * (1 + _REL_SLACK) + (
            _ABS_SLACK_M
        )

    def true_lower_bound(self, chord_m: NDArray) -> NDArray:
        """A lower bound on the haversine distance of a pair ``chord_m`` apart (the arc is at
        least its chord)."""
        return np.maximum((np.asarray(chord_m) - _ABS_SLACK_M) / (1 + _REL_SLACK), 0.0)


def _projection(dlat, dlng, slat, slng) -> LocalProjection | ChordSpace:
    """The space the k-d tree filters in: the local projection when the data lie in one region
    away from the poles, where it is the cheaper of the two, else 3-D points."""
    lat, lng = np.concatenate([dlat, slat]), np.concatenate([dlng, slng])
    if lat.size == 0:
        return LocalProjection(0.0, 0.0, 1.0, 1.0)
    regional = (
        float(np.abs(lat).max()) <= _PROJECTION_MAX_LAT
        and float(lng.max() - lng.min()) <= _PROJECTION_SPAN_DEG
    )
    if regional:
        proj = LocalProjection.around(lat, lng)
        if max(proj.over, proj.under) <= _PROJECTION_MAX_DISTORTION:
            return proj
    return ChordSpace()


def _as_float(a: ArrayLike) -> NDArray:
    return np.asarray(a, dtype=float).ravel()


def neighbours_within(
    demand_lat: ArrayLike,
    demand_lng: ArrayLike,
    site_lat: ArrayLike,
    site_lng: ArrayLike,
    radius_m: float,
) -> csr_array:
    """Haversine distances (metres) of every demand × site pair at most ``radius_m`` apart.

    Returns a CSR array of shape ``(n_demand, n_sites)``. The *stored entries* are the pairs
    within reach; a stored value may be exactly 0 (a site on a demand point), so use the sparsity
    pattern, not ``data > 0``, to test reach. Column indices are sorted within each row.
    """
    dlat, dlng, slat, slng = map(_as_float, (demand_lat, demand_lng, site_lat, site_lng))
    n, m = dlat.size, slat.size
    if n == 0 or m == 0 or not radius_m >= 0:
        return csr_array((np.zeros(0), np.zeros(0, np.int32), np.zeros(n + 1, np.int64)), (n, m))
    proj = _projection(dlat, dlng, slat, slng)
    dxy = proj.to_xy(dlat, dlng)
    stree = cKDTree(proj.to_xy(slat, slng))
    query = proj.query_radius(radius_m)
    rows, cols, dists, kept = [], [], [], 0
    # Chunks of demand keep the candidate pairs (a little more than the final ones) small.
    for lo in range(0, n, _CHUNK):
        chunk = cKDTree(dxy[lo : lo + _CHUNK])
        pairs = chunk.sparse_distance_matrix(stree, query, output_type="ndarray")
        i = pairs["i"].astype(np.int64) + lo
        j = pairs["j"].astype(np.int64)
        d = haversine_m(dlat[i], dlng[i], slat[j], slng[j])
        keep = d <= radius_m  # the exact distance decides
        order = np.lexsort((j[keep], i[keep]))
        rows.append(i[keep][order])
        cols.append(j[keep][order].astype(np.int32))
        dists.append(d[keep][order])
        kept += int(keep.sum())
        if kept > MAX_PAIRS:
            raise TooManyPairs(
                f"more than {MAX_PAIRS:,} demand-site pairs lie within {radius_m:g} m of each"
                " other; use a smaller radius or fewer points"
            )
    i = np.concatenate(rows)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(i, minlength=n), out=indptr[1:])
    return csr_array((np.concatenate(dists), np.concatenate(cols), indptr), shape=(n, m))


def nearest_k(
    demand_lat: ArrayLike,
    demand_lng: ArrayLike,
    site_lat: ArrayLike,
    site_lng: ArrayLike,
    k: int | ArrayLike,
) -> tuple[NDArray, NDArray]:
    """The ``k`` nearest sites of each demand point by haversine distance, exactly.

    ``k`` may be one number or one per demand point. Returns ``(index, distance)`` arrays of shape
    ``(n_demand, max k)`` sorted by distance (ties by site index); row ``i`` holds ``k[i]`` valid
    entries and is padded with ``-1`` / ``inf``. ``k`` larger than the number of sites is capped.

    The k-d tree on projected points proposes candidates; a row is accepted only when its
    k-th haversine distance is at most a proven lower bound on the distance of every site the tree
    did not return, otherwise the row is queried again with more neighbours.
    """
    dlat, dlng, slat, slng = map(_as_float, (demand_lat, demand_lng, site_lat, site_lng))
    n, m = dlat.size, slat.size
    kk = np.minimum(np.broadcast_to(np.asarray(k, dtype=np.int64), (n,)), m)
    width = int(kk.max()) if n else 0
    index = np.full((n, width), -1, dtype=np.int64)
    dist = np.full((n, width), np.inf)
    if n == 0 or m == 0 or width == 0:
        return index, dist
    proj = _projection(dlat, dlng, slat, slng)
    tree = cKDTree(proj.to_xy(slat, slng))
    dxy = proj.to_xy(dlat, dlng)
    # Rows asking for similar k are queried together, so a few long rows do not make every
    # row fetch (and sort) as many neighbours as they do.
    rows = np.flatnonzero(kk > 0)
    bucket = np.floor(np.log(kk[rows]) / np.log(1.5)).astype(np.int64)
    for b in np.unique(bucket):
        _nearest_rows(rows[bucket == b], kk, proj, tree, dxy, (dlat, dlng, slat, slng), index, dist)
    return index, dist


def _nearest_rows(todo, kk, proj, tree, dxy, coords, index, dist) -> None:
    """Fill ``index``/``dist`` for the rows ``todo`` of :func:`nearest_k`, querying again with
    more neighbours where the tree's answer could still miss a nearer site."""
    dlat, dlng, slat, slng = coords
    m, width = slat.size, index.shape[1]
    extra = 4
    while todo.size:
        kq = int(min(m, kk[todo].max() + extra))
        # Every core for large queries; for small ones starting threads costs more than it saves.
        workers = -1 if todo.size * kq > 1_000_000 else 1
        pdist, pidx = tree.query(dxy[todo], k=kq, workers=workers)
        pdist = pdist.reshape(todo.size, kq)
        pidx = pidx.reshape(todo.size, kq)
        h = haversine_m(dlat[todo, None], dlng[todo, None], slat[pidx], slng[pidx])
        h, pidx = _by_distance_then_index(h, pidx)
        rows_k = kk[todo]
        kth = h[np.arange(todo.size), rows_k - 1]
        # Sites the tree did not return are at least this far (none are left when kq == m).
        unseen = np.inf if kq == m else proj.true_lower_bound(pdist[:, -1])
        ok = kth < unseen  # strict, so an unseen site cannot tie with the k-th either
        w = min(kq, width)
        cols = np.arange(w)[None, :]
        valid = cols < rows_k[ok, None]
        index[todo[ok], :w] = np.where(valid, pidx[ok, :w], -1)
        dist[todo[ok], :w] = np.where(valid, h[ok, :w], np.inf)
        todo = todo[~ok]
        extra *= 4


def _by_distance_then_index(h: NDArray, idx: NDArray) -> tuple[NDArray, NDArray]:
    """Each row sorted by distance, ties by index. The tree's order is nearly the distance
    order, which a stable sort takes in a fraction of a two-key sort's time; the two-key sort
    is left for the rows with ties."""
    order = np.argsort(h, axis=1, kind="stable")
    h = np.take_along_axis(h, order, axis=1)
    idx = np.take_along_axis(idx, order, axis=1)
    tied = np.flatnonzero((h[:, 1:] == h[:, :-1]).any(axis=1))
    if tied.size:
        order = np.lexsort((idx[tied], h[tied]), axis=1)
        h[tied] = np.take_along_axis(h[tied], order, axis=1)
        idx[tied] = np.take_along_axis(idx[tied], order, axis=1)
    return h, idx


@dataclass(frozen=True)
class Cells:
    """Demand points gathered into grid cells, with what a cell's centre may misstate.

    The centre of a cell is its points' weighted mean in 3-D (``c3``), pushed out onto the sphere.
    For each point ``i`` of a cell, ``r_i`` (metres) bounds how far its distance to *any* site
    within a few hundred kilometres differs from the centre's: ``|d(i, q) - d(centre, q)| <=
    r_i``. And, because the great-circle distance grows convexly with the straight-line (chord)
    distance, the points' total is never below the centre's: ``sum_i w_i d(i, q) >= W d(centre,
    q) - jensen`` for every site ``q`` (Jensen's inequality; ``jensen`` covers the millimetres
    between ``c3`` and the sphere). A p-median bound computed on cells with these terms (see
    :mod:`.pmedian`) is a valid bound for the points themselves.
    """

    lat: NDArray
    lng: NDArray
    weight: NDArray  # W: total weight
    spread: NDArray  # sum of w_i r_i
    reach: NDArray  # max r_i
    jensen: NDArray
    index: NDArray  # the cell of each input point
    radius: NDArray  # r_i of each input point

    def __len__(self) -> int:
        return self.weight.size


# The cells' bounds hold for sites up to this far (the slope of the great-circle distance
# against the chord is below 1 + 1e-4 up to it); see cells_fit.
_CELL_REACH_M = 500_000.0
_CELL_SLOPE = 1.0 / np.sqrt(1.0 - (_CELL_REACH_M / (2 * EARTH_RADIUS_M)) ** 2)


def cells_fit(lat: ArrayLike, lng: ArrayLike) -> bool:
    """Whether points and sites with these coordinates lie close enough for :class:`Cells`:
    twice their diameter within the reach of the cells' bounds. The diameter is bounded by
    twice the farthest point's distance from their mean direction (in 3-D, so the test holds
    across the antimeridian and at the poles)."""
    lat, lng = _as_float(lat), _as_float(lng)
    if lat.size == 0:
        return True
    xyz = _unit_xyz(lat, lng)
    mean = xyz.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    if norm < 1e-9:
        return False  # spread all round the globe
    cos_far = float(np.clip((xyz @ (mean / norm)).min(), -1.0, 1.0))
    radius = EARTH_RADIUS_M * float(np.arccos(cos_far))
    return bool(4 * radius * (1 + _REL_SLACK) + _ABS_SLACK_M <= _CELL_REACH_M)


def _unit_xyz(lat: NDArray, lng: NDArray) -> NDArray:
    phi, lam = np.radians(lat), np.radians(lng)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def aggregate_cells(lat: ArrayLike, lng: ArrayLike, weight: ArrayLike, size_m: float) -> Cells:
    """Gather points into square cells of ``size_m`` metres on a local projection."""
    lat, lng, weight = map(_as_float, (lat, lng, weight))
    return _grid_cells(lat, lng, weight, LocalProjection.around(lat, lng).to_xy(lat, lng), size_m)


def _grid_cells(lat: NDArray, lng: NDArray, weight: NDArray, xy: NDArray, size_m: float) -> Cells:
    _, index = np.unique(_cell_codes(xy, size_m), return_inverse=True)
    return cells_from_index(lat, lng, weight, index.ravel())


def split_cells(
    lat: ArrayLike, lng: ArrayLike, weight: ArrayLike, cells: Cells, which: NDArray
) -> tuple[Cells, NDArray]:
    """Split the cells ``which`` (a mask) into the quarters around their centres, where they
    hold points; returns the new cells and, per new cell, the cell it came from."""
    lat, lng, weight = map(_as_float, (lat, lng, weight))
    proj = LocalProjection.around(lat, lng)
    xy = proj.to_xy(lat, lng)
    centre = proj.to_xy(cells.lat, cells.lng)[cells.index]
    quarter = 2 * (xy[:, 0] > centre[:, 0]) + (xy[:, 1] > centre[:, 1])
    code = cells.index * 4 + np.where(which[cells.index], quarter, 0)
    codes, index = np.unique(code, return_inverse=True)
    return cells_from_index(lat, lng, weight, index.ravel()), codes // 4


def cells_from_index(lat: NDArray, lng: NDArray, weight: NDArray, index: NDArray) -> Cells:
    """The cells of points numbered ``index`` (0, 1, ... with none skipped)."""
    n = int(index.max()) + 1 if index.size else 0
    xyz = EARTH_RADIUS_M * _unit_xyz(lat, lng)
    total = np.bincount(index, weights=weight, minlength=n)
    mean = (
        np.column_stack(
            [np.bincount(index, weights=weight * xyz[:, k], minlength=n) for k in range(3)]
        )
        / np.maximum(total, 1e-300)[:, None]
    )
    norm = np.linalg.norm(mean, axis=1)
    inside = np.maximum(EARTH_RADIUS_M - norm, 0.0)  # how far c3 lies below the surface
    centre = mean / norm[:, None]
    chord = np.linalg.norm(xyz - mean[index], axis=1)
    # d(i, q) and d(centre, q) are the great-circle images of chords that differ by at most
    # chord_i + inside (triangle inequality in 3-D); the slope bound turns that into metres.
    r = _CELL_SLOPE * (chord + inside[index]) * (1 + _REL_SLACK) + _ABS_SLACK_M
    reach = np.zeros(n)
    np.maximum.at(reach, index, r)
    return Cells(
        lat=np.degrees(np.arcsin(np.clip(centre[:, 2], -1.0, 1.0))),
        lng=np.degrees(np.arctan2(centre[:, 1], centre[:, 0])),
        weight=total,
        spread=np.bincount(index, weights=weight * r, minlength=n),
        reach=reach,
        jensen=total * (_CELL_SLOPE * inside * (1 + _REL_SLACK) + _ABS_SLACK_M),
        index=index,
        radius=r,
    )


def _cell_codes(xy: NDArray, size_m: float) -> NDArray:
    key = np.floor(xy / size_m).astype(np.int64)
    if key.size == 0:
        return np.zeros(0, dtype=np.int64)
    key -= key.min(axis=0)
    return key[:, 0] * (int(key[:, 1].max()) + 1) + key[:, 1]


def cells_at_most(lat: ArrayLike, lng: ArrayLike, weight: ArrayLike, limit: int) -> Cells:
    """The finest cells (sides of 1 m × 1.25^k) that number at most ``limit``."""
    lat, lng, weight = map(_as_float, (lat, lng, weight))
    xy = LocalProjection.around(lat, lng).to_xy(lat, lng)
    lo, hi = 0, 90  # 1.25^90 m spans the globe: one cell
    while lo < hi:
        mid = (lo + hi) // 2
        if np.unique(_cell_codes(xy, 1.25**mid)).size <= limit:
            hi = mid
        else:
            lo = mid + 1
    return _grid_cells(lat, lng, weight, xy, 1.25**lo)


def count_within(
    demand_lat: ArrayLike,
    demand_lng: ArrayLike,
    site_lat: ArrayLike,
    site_lng: ArrayLike,
    radius_m: ArrayLike,
) -> NDArray:
    """How many sites lie within each point's own radius, or a few more: the count is taken on
    the projection with its distortion allowed for, so it never misses a site."""
    dlat, dlng, slat, slng = map(_as_float, (demand_lat, demand_lng, site_lat, site_lng))
    if dlat.size == 0 or slat.size == 0:
        return np.zeros(dlat.size, dtype=np.int64)
    proj = _projection(dlat, dlng, slat, slng)
    tree = cKDTree(proj.to_xy(slat, slng))
    radius = proj.query_radius(np.asarray(radius_m, dtype=float))
    return np.asarray(tree.query_ball_point(proj.to_xy(dlat, dlng), radius, return_length=True))
