"""The p-median problem as the solvers see it: demand merged by location, the allowed
candidates, the nearest-k assignment lists, and phase one's result."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..geometry import Cells, nearest_k

K_CAP = 100
"""Initial lists never exceed this length, so memory grows with demand × K_CAP at most, not with
demand × candidates; lists only grow beyond it for the points that need it."""


def initial_k(n_sites: int, p: int) -> int:
    """List length to start from: four times the candidates per chosen site, at least 8.
    Shorter lists make smaller models but weaker fallbacks, hence more rounds and a weaker
    Lagrangian; four per site was the fastest on the generated 2,000 × 200 cases."""
    return int(min(n_sites, K_CAP, max(8, math.ceil(4 * n_sites / max(p, 1)))))


@dataclass
class _Problem:
    """Demand merged by location (weights added), candidates restricted to the allowed ones."""

    lat: NDArray
    lng: NDArray
    w: NDArray
    slat: NDArray
    slng: NDArray
    fixed: NDArray  # bool over allowed sites
    p: int
    cells: Cells | None = None  # set when the rows are cells of the points below
    points: tuple[NDArray, NDArray, NDArray] | None = None  # (lat, lng, weight)

    @property
    def n(self) -> int:
        return self.w.size

    @property
    def m(self) -> int:
        return self.slat.size

    def nearest_open(self, chosen: NDArray, k: int = 1) -> tuple[NDArray, NDArray]:
        """Exact k nearest chosen sites per point: (positions among allowed sites, distances)."""
        idx, dist = nearest_k(self.lat, self.lng, self.slat[chosen], self.slng[chosen], k)
        pos = np.where(idx >= 0, chosen[np.maximum(idx, 0)], -1)
        return pos, dist

    def cost(self, chosen: NDArray) -> float:
        """Exact cost of the choice, on the points themselves when the rows are cells."""
        if self.points is None:
            return self.centre_cost(chosen)
        lat, lng, w = self.points
        if chosen.size == 0:
            return math.inf if w.size else 0.0
        _, dist = nearest_k(lat, lng, self.slat[chosen], self.slng[chosen], 1)
        return float((w * dist[:, 0]).sum())

    def cost_below(self, chosen: NDArray, limit: float) -> float:
        """The exact cost, or inf when the cheap centre cost says it is unlikely below
        ``limit`` (only a candidate for the incumbent is skipped, never a bound)."""
        if self.points is None:
            return self.cost(chosen)
        if self.centre_cost(chosen) >= limit:
            return math.inf
        return self.cost(chosen)

    def centre_cost(self, chosen: NDArray) -> float:
        """Cost with each row at its own coordinates: the exact cost, or for cells within
        ``sum(cells.spread)`` of the points' cost."""
        if self.n == 0:
            return 0.0
        if chosen.size == 0:
            return math.inf
        _, dist = self.nearest_open(chosen)
        return float((self.w * dist[:, 0]).sum())


@dataclass
class _Lists:
    """Per point: candidate positions and distances of its assignment entries, and fallback."""

    row: NDArray
    site: NDArray
    dist: NDArray
    fallback: NDArray  # per point: fallback distance, or inf when none is needed
    seconds: float = 0.0  # how long building them took

    def by_site(self, m: int) -> tuple[NDArray, NDArray]:
        """Entry positions ordered by site, and where each of the ``m`` sites' runs starts."""
        # Site numbers below 2**16 sort by radix as uint16: a third of the time at 16 million.
        key = self.site.astype(np.uint16) if m <= 2**16 else self.site
        order = np.argsort(key, kind="stable")
        return order, np.searchsorted(self.site[order], np.arange(m + 1))

    @classmethod
    def build(cls, prob: _Problem, k: NDArray) -> _Lists:
        t0 = time.perf_counter()
        idx, dist = nearest_k(prob.lat, prob.lng, prob.slat, prob.slng, np.minimum(k + 1, prob.m))
        width = idx.shape[1]
        cols = np.arange(width)[None, :]
        in_list = (cols < k[:, None]) & (idx >= 0)
        is_fixed = in_list & prob.fixed[np.maximum(idx, 0)]
        has_fixed = is_fixed.any(axis=1)
        first_fixed = np.where(has_fixed, np.argmax(is_fixed, axis=1), width)
        keep = in_list & (cols <= first_fixed[:, None])
        beyond = np.where(k < prob.m, dist[np.arange(prob.n), np.minimum(k, width - 1)], np.inf)
        fallback = np.where(has_fixed, np.inf, beyond)
        rows = np.broadcast_to(np.arange(prob.n)[:, None], idx.shape)
        return cls(rows[keep], idx[keep], dist[keep], fallback, time.perf_counter() - t0)


@dataclass
class _PhaseOne:
    chosen: NDArray
    cost: float
    bound: float  # L(u) at ``u`` (capped at ``cost``)
    u: NDArray
    closed: NDArray
    opened: NDArray


def _merge_points(lat: NDArray, lng: NDArray, w: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    keep = w > 0
    pts, inverse = np.unique(np.column_stack([lat[keep], lng[keep]]), axis=0, return_inverse=True)
    merged = np.bincount(inverse.ravel(), weights=w[keep], minlength=len(pts))
    return pts[:, 0], pts[:, 1], merged
