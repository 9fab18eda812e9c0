"""Coverage of demand by facilities, and the metrics a scenario evaluation reports."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import csr_array

from .constants import DETOUR_FACTOR, WALKING_SPEED_M_PER_MIN
from .data import DemandPoints, Facilities
from .geometry import haversine_m, nearest_k
from .walks import nearest as nearest_walks


def reach(distances: csr_array) -> csr_array:
    """The 0/1 reach matrix of a neighbour-distance matrix: 1 at every *stored* entry.

    Stored entries may hold a distance of exactly 0, so the pattern, not the values, is used.
    """
    return csr_array(
        (np.ones(distances.nnz), distances.indices, distances.indptr), shape=distances.shape
    )


def cover_counts(cover: csr_array, open_mask: NDArray) -> NDArray:
    """Number of open sites that reach each demand point (``cover`` is a 0/1 reach matrix)."""
    return cover @ np.asarray(open_mask, dtype=float)


def coverage_gain(cover: csr_array, weight: ArrayLike, open_mask: ArrayLike) -> NDArray:
    """Per site, the weight it would newly cover if it were opened next to ``open_mask``.

    0 for a site already open. ``cover`` is a demand × site 0/1 reach matrix.
    """
    open_mask = np.asarray(open_mask, dtype=bool)
    w = np.asarray(weight, dtype=float)
    uncovered = cover_counts(cover, open_mask) == 0
    gain = cover.T @ np.where(uncovered, w, 0.0)
    gain[open_mask] = 0.0
    return gain


def coverage_loss(cover: csr_array, weight: ArrayLike, open_mask: ArrayLike) -> NDArray:
    """Per open site, the weight no longer covered if it alone closed (0 for closed sites)."""
    open_mask = np.asarray(open_mask, dtype=bool)
    w = np.asarray(weight, dtype=float)
    only_one = cover_counts(cover, open_mask) == 1
    loss = cover.T @ np.where(only_one, w, 0.0)
    loss[~open_mask] = 0.0
    return loss


def covered_weight(cover: csr_array, weight: ArrayLike, open_mask: ArrayLike) -> float:
    """Total weight reached by at least one open site."""
    w = np.asarray(weight, dtype=float)
    return math.fsum(w[cover_counts(cover, np.asarray(open_mask, dtype=bool)) > 0])


def _share(part: float, whole: float) -> float:
    return float(part / whole) if whole > 0 else 0.0


def _mean(values: NDArray, weights: NDArray) -> float:
    total = weights.sum()
    return float((values * weights).sum() / total) if total > 0 else float("nan")


@dataclass(frozen=True)
class CoverageResult:
    """Per-demand-point and per-facility results of :func:`evaluate_coverage`.

    Distances and minutes are *walking* figures (measured walks, or straight line × detour). A
    demand point has no nearest facility when there are no facilities at all or, with measured
    walks, none within their limit: then ``nearest`` is -1 and its distance and minutes are
    ``inf``. Such points are left out of the mean walking time, whose
    denominator is the weight that has a facility; the mean is NaN when that weight is 0.
    Shares are 0 when their denominator (total weight) is 0.
    """

    nearest: NDArray  # int, facility position or -1
    straight_m: NDArray  # straight-line (haversine) metres to the nearest facility
    walk_m: NDArray  # walking metres = straight_m × detour
    minutes: NDArray  # walk_m / speed
    covered: NDArray  # bool, walk_m <= threshold
    uncovered_weight: NDArray  # weight where not covered, else 0
    total_weight: float
    covered_weight: float
    share_covered: float
    group_share: dict[str, float]
    mean_minutes: float
    group_mean_minutes: dict[str, float]
    load: NDArray  # per facility: weight of covered demand whose nearest facility it is
    utilisation: NDArray  # load / capacity; NaN where capacity is unknown or not positive


def evaluate_coverage(
    demand: DemandPoints,
    facilities: Facilities,
    threshold_m: float,
    *,
    detour: float = DETOUR_FACTOR,
    speed_m_per_min: float = WALKING_SPEED_M_PER_MIN,
    group_speed_m_per_min: Mapping[str, float] | None = None,
    walks: csr_array | None = None,
) -> CoverageResult:
    """Evaluate how well ``facilities`` serve ``demand`` within a walking ``threshold_m``.

    Each demand point walks to its nearest facility (by haversine distance); it is covered when
    that walk, ``straight × detour``, is at most ``threshold_m``. The nearest facility is also the
    nearest *covering* one, so ``load`` assigns each covered point's weight to it. Per-group mean
    minutes use ``group_speed_m_per_min[group]`` when given (e.g. slower for the elderly).
    The defaults are :mod:`siting.constants`' detour factor and adult walking speed.

    ``walks``: the demand × facility walking metres measured elsewhere (on the street network,
    :mod:`siting.walks`), up to some limit; then the nearest facility is the nearest by those
    walks, ``detour`` is not used, and a point with no facility within the limit has none
    (``nearest`` -1, ``inf`` metres): it is uncovered and left out of the mean walking time.
    ``straight_m`` is then the straight line to that facility, for reference.
    """
    if detour <= 0 or speed_m_per_min <= 0:
        raise ValueError("detour and speed must be positive")
    n, m = len(demand), len(facilities)
    w = demand.weight
    if walks is not None:
        if walks.shape != (n, m):
            raise ValueError(f"walks has shape {walks.shape}, expected {(n, m)}")
        idx, dist = nearest_walks(walks, 1)
        nearest, walk = idx[:, 0], dist[:, 0]
        has = nearest >= 0
        straight = np.full(n, np.inf)
        straight[has] = haversine_m(
            demand.lat[has],
            demand.lng[has],
            facilities.lat[nearest[has]],
            facilities.lng[nearest[has]],
        )
    elif m:
        idx, dist = nearest_k(demand.lat, demand.lng, facilities.lat, facilities.lng, 1)
        nearest = idx[:, 0] if n else np.zeros(0, dtype=np.int64)
        straight = dist[:, 0] if n else np.zeros(0)
        walk = straight * detour
    else:
        nearest = np.full(n, -1, dtype=np.int64)
        straight = np.full(n, np.inf)
        walk = straight * detour
    minutes = walk / speed_m_per_min
    covered = walk <= threshold_m
    has = nearest >= 0
    # Exactly rounded sums: a plain sum's rounding depends on how many terms it has, so a
    # site reaching one more zero-weight point could "lower" the covered weight by an ulp.
    total = math.fsum(w)
    cov_w = math.fsum(w[covered])

    speeds = dict(group_speed_m_per_min or {})
    group_share = {}
    group_minutes = {}
    for name, gw in demand.groups.items():
        group_share[name] = _share(math.fsum(gw[covered]), math.fsum(gw))
        g_min = walk[has] / speeds.get(name, speed_m_per_min)
        group_minutes[name] = _mean(g_min, gw[has])

    load = np.bincount(nearest[covered], weights=w[covered], minlength=m).astype(float)
    cap = facilities.capacity
    good = np.isfinite(cap) & (cap > 0)
    utilisation = np.full(m, np.nan)
    utilisation[good] = load[good] / cap[good]

    return CoverageResult(
        nearest=nearest,
        straight_m=straight,
        walk_m=walk,
        minutes=minutes,
        covered=covered,
        uncovered_weight=np.where(covered, 0.0, w),
        total_weight=total,
        covered_weight=cov_w,
        share_covered=_share(cov_w, total),
        group_share=group_share,
        mean_minutes=_mean(minutes[has], w[has]),
        group_mean_minutes=group_minutes,
        load=load,
        utilisation=utilisation,
    )
