"""p-median: choose ``p`` sites minimising the sum of weight × distance to the nearest chosen one.

Demand points at the same coordinates are merged (weights added) and zero weights dropped first.

Restricted model on nearest-k lists
-----------------------------------
A full model has a variable per demand × candidate. Instead each demand point ``i`` gets
assignment variables only for its ``k_i`` nearest candidates (exact haversine order; initially
``k = max(8, 4·m/p)``), cut after the first fixed site in that list (a fixed site is always open,
so nothing farther is ever used). If the list is not cut and candidates remain beyond it, ``i``
also gets a *fallback* variable priced at its (k_i+1)-th nearest distance: every candidate
outside the list is at least that far, so the restricted model is a relaxation of the full one
and its optimum, and HiGHS's dual bound, are valid lower bounds for the full problem. Chosen
sites are always evaluated with exact distances; when that equals the restricted optimum they are
optimal for the full problem, otherwise ``k_i`` is doubled for every point that used its
fallback and the model is solved again (at worst the lists reach every candidate).

Heuristic
---------
Greedy on the same lists, then best-improvement swaps in the fast-interchange form of Whitaker /
Resende & Werneck: with exact nearest (``d1``) and second-nearest (``d2``) open distances,
``profit(a, r) = gain(a) - loss(r) + extra(a, r)`` for all pairs at once with sparse sums. Pairs
outside the lists are left out, which can only *under*-estimate a profit, so every swap made is a
real improvement. Then a Lagrangian relaxation of the assignment rows (subgradient ascent; its
best value equals the LP bound) gives the bound, prices its relaxed solutions, and the swaps are
run again from the sites open at its best multipliers — which regularly turns a local optimum
0.1-2 % off into the optimum. The reported bound is the LP relaxation when the model is small
(HiGHS needs seconds for these degenerate LPs beyond :data:`PMEDIAN_LP_MAX_NNZ` nonzeros), the
Lagrangian bound otherwise.

Large instances
---------------
Beyond :data:`AGGREGATE_ENTRIES` list entries (a city's half a million points) the heuristic
searches on grid cells of nearby points (:func:`~.geometry.cells_at_most`, about
:data:`SEARCH_CELLS`): greedy, swaps and a short Lagrangian run on the cells, and every answer is
priced on the points. The Lagrangian carries each cell's spread (how far its points lie from its
centre) so that its bound holds for the points; it loses where a cell lies near a service
boundary or near its site, so those cells are then split into quarters, nearest first
(:func:`_refine_cells`), their lists reach past their second chosen site, and the Lagrangian
goes on there until the time is up, with per-row (AdaGrad) steps halved every 60 steps. The
final bound sums the open sites' terms over the points themselves
(:meth:`_Lagrangian.on_points`). Swap rounds apply many non-interfering swaps at once and the
greedy fills what is left in one go when time runs out, so large ``p`` stays within the time
limit (8 % of which is kept for the last step, the final bound and pricing).

Exact
-----
The heuristic first (phase one). Its Lagrangian also runs Beasley's reduction tests: a site whose
forced opening (or closing) lifts the bound above the incumbent is closed (or opened) in every
better solution. If the bound meets the incumbent (relative gap < 1e-10) it is optimal; else the
sites left undecided are solved exactly — by enumerating the combinations when there are at most
:data:`ENUMERATE_MAX`, otherwise by HiGHS on the restricted model over the remaining sites,
leaving out the assignments the Lagrangian proves too costly. ``reduce=False`` skips all this and
hands the whole restricted model to HiGHS (kept to check and benchmark against). HiGHS gets the
time left and runs within the memory budget (:mod:`.milp`); a restricted model that would not fit
leaves phase one's answer and bound. ``auto`` runs the exact method whenever the points are not
so many that the heuristic searches on cells, so it spends its time closing the gap.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import coo_array, csr_array

from . import milp
from .data import DemandPoints, Facilities, Solution, fixed_and_excluded, relative_gap
from .geometry import (
    Cells,
    cells_at_most,
    cells_fit,
    count_within,
    haversine_m,
    nearest_k,
    split_cells,
)

K_CAP = 100
"""Initial lists never exceed this length, so memory grows with demand × K_CAP at most, not with
demand × candidates; lists only grow beyond it for the points that need it."""

ENUMERATE_MAX = 100_000
"""After the reduction tests, at most this many combinations of the free sites are enumerated
(exact and quick); beyond, HiGHS solves what is left."""

ENUMERATE_WORK = 200_000_000
"""... and only when combinations × points × free sites to choose stay below this (a few
seconds of numpy): 100,000 combinations over 50,000 points would take minutes."""

PMEDIAN_LP_MAX_NNZ = 30_000
"""The heuristic's bound is the LP relaxation up to this many nonzeros, else Lagrangian."""

AGGREGATE_ENTRIES = 4_000_000
"""The heuristic searches on cells of nearby points (at most :data:`SEARCH_CELLS`) when points ×
list length exceeds this: a city's half a million points would make every greedy or swap step
scan tens of millions of list entries. Answers are still priced on the points, and the bound
accounts for how far each point lies from its cell's centre."""

SEARCH_CELLS = 30_000

SPLIT_CELLS_PER_SITE = 150
SPLIT_CELLS = (90_000, 150_000)
SPLIT_MARGIN = 8.0
"""After the search, cells are split along the service boundaries (:func:`_refine_cells`), the
cells nearest to a boundary or a site (within ``SPLIT_MARGIN`` times their reach) first, up to
150 cells per chosen site within :data:`SPLIT_CELLS`. More cells bound better in the end but
cost more per Lagrangian step: at p = 200 of 20,000 sites, in 60 s side by side, 80,000 cells
left a 1.08 % gap, 90,000 1.06 % and 120,000 1.22 %."""

PRICING_RESERVE = 0.92
"""On cells, the search stops at this share of the time limit, leaving the rest for the
step under way, the final bound on the points and pricing the answer there."""

POINT_PAIRS = 5_000_000
"""The final bound on cells sums the open sites' terms over the points, up to this many
point-site pairs (a few hundred MB of temporaries)."""

METHODS = ("auto", "exact", "heuristic")
_CHUNK = 2048


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


def _model(prob: _Problem, lists: _Lists):
    """MILP data: variables [y (sites), x (list entries), f (fallbacks)], minimising cost."""
    n, m, e = prob.n, prob.m, lists.row.size
    fb_rows = np.flatnonzero(np.isfinite(lists.fallback))
    nf = fb_rows.size
    nvar = m + e + nf
    c = np.concatenate(
        [np.zeros(m), prob.w[lists.row] * lists.dist, prob.w[fb_rows] * lists.fallback[fb_rows]]
    )
    x_cols = m + np.arange(e)
    f_cols = m + e + np.arange(nf)
    # Assignment rows: each point is served once (by a list entry or its fallback).
    r_assign = np.concatenate([lists.row, fb_rows])
    c_assign = np.concatenate([x_cols, f_cols])
    # Linking rows x_e <= y_j, not needed where j is fixed (always open).
    link = np.flatnonzero(~prob.fixed[lists.site])
    r_link = n + np.arange(link.size)
    rows = np.concatenate([r_assign, r_link, r_link, np.full(m, n + link.size)])
    cols = np.concatenate([c_assign, x_cols[link], lists.site[link], np.arange(m)])
    vals = np.concatenate(
        [np.ones(r_assign.size), np.ones(link.size), -np.ones(link.size), np.ones(m)]
    )
    nrows = n + link.size + 1
    a = csr_array(coo_array((vals, (rows, cols)), shape=(nrows, nvar)))
    row_lb = np.concatenate([np.ones(n), np.full(link.size, -np.inf), [prob.p]])
    row_ub = np.concatenate([np.ones(n), np.zeros(link.size), [prob.p]])
    lb = np.zeros(nvar)
    lb[:m] = prob.fixed.astype(float)
    ub = np.ones(nvar)
    integer = np.concatenate([np.ones(m), np.zeros(e + nf)])
    return c, a, row_lb, row_ub, lb, ub, integer


class _Local:
    """Local search state: the open set with exact nearest / second-nearest open distances."""

    def __init__(self, prob: _Problem, lists: _Lists) -> None:
        self.prob, self.lists = prob, lists
        self.wl = prob.w[lists.row]
        self.open = prob.fixed.copy()

    def _refresh(self) -> None:
        chosen = np.flatnonzero(self.open)
        pos, dist = self.prob.nearest_open(chosen, 2)
        self.n1 = pos[:, 0]
        self.d1 = dist[:, 0]
        two = dist.shape[1] > 1
        self.n2 = pos[:, 1] if two else np.full(self.prob.n, -1)
        self.d2 = dist[:, 1] if two else np.full(self.prob.n, np.inf)

    def value(self) -> float:
        return self.prob.cost(np.flatnonzero(self.open))

    def greedy(self, clock: milp.Clock) -> None:
        """Add the site with the largest saving until p are open. Where nothing in a point's
        list is open yet its current distance is taken as its fallback (list end) distance.
        Once the clock runs out, the sites of the largest savings fill the rest at once."""
        prob, lists = self.prob, self.lists
        cur = np.minimum(lists.fallback, _list_end(lists, prob.n))
        if self.open.any():
            self._refresh()
            cur = np.minimum(cur, self.d1)
        while (missing := prob.p - int(self.open.sum())) > 0:
            saving = self.wl * np.maximum(cur[lists.row] - lists.dist, 0.0)
            gain = np.bincount(lists.site, weights=saving, minlength=prob.m)
            gain[self.open] = -np.inf
            if clock.expired():
                self.open[np.argsort(-gain, kind="stable")[:missing]] = True
                return
            j = int(np.argmax(gain))
            self.open[j] = True
            hit = lists.site == j
            np.minimum.at(cur, lists.row[hit], lists.dist[hit])

    def swap(self, clock: milp.Clock) -> None:
        """Best-improvement swaps until none improves. Each round takes the best swap and then,
        down the list of improving ones, every further swap whose points (those served by its
        closed site or first or second, or nearer to its new site than their second) no swap of
        the round touches: their savings simply add up. Large ``p`` thus needs few rounds."""
        prob, lists = self.prob, self.lists
        by_site, site_start = lists.by_site(prob.m)
        while not clock.expired():
            free_open = np.flatnonzero(self.open & ~prob.fixed)
            if free_open.size == 0 or self.open.all():
                return
            self._refresh()
            swaps = self._improving_swaps(free_open)
            if not swaps:
                return
            taken = np.zeros(prob.n, dtype=bool)
            used = np.zeros(prob.m, dtype=bool)
            n2_order = np.argsort(self.n2, kind="stable")
            n1_order = np.argsort(self.n1, kind="stable")
            limit = max(1, free_open.size // 8)
            done = 0
            for add, drop in swaps:
                if used[add] or used[drop]:
                    continue
                entries = by_site[site_start[add] : site_start[add + 1]]
                near = lists.row[entries][lists.dist[entries] < self.d2[lists.row[entries]]]
                rows = np.concatenate(
                    [near, _rows_of(self.n1, n1_order, drop), _rows_of(self.n2, n2_order, drop)]
                )
                if done and taken[rows].any():
                    continue
                taken[rows] = True
                used[add] = used[drop] = True
                self.open[drop], self.open[add] = False, True
                done += 1
                if done >= limit:
                    break

    def _improving_swaps(self, free_open: NDArray) -> list[tuple[int, int]]:
        """Improving (add, drop) pairs, best first, by the fast-interchange profit
        ``gain(a) - loss(r) + extra(a, r)``; ``extra`` is kept sparse (pairs sharing a point)."""
        prob, lists = self.prob, self.lists
        d1r, d2r, n1r = self.d1[lists.row], self.d2[lists.row], self.n1[lists.row]
        gain = np.bincount(
            lists.site, weights=self.wl * np.maximum(d1r - lists.dist, 0.0), minlength=prob.m
        )
        gain[self.open] = -np.inf
        loss = np.bincount(self.n1, weights=prob.w * (self.d2 - self.d1), minlength=prob.m)
        droppable = np.zeros(prob.m, dtype=bool)
        droppable[free_open] = True
        # extra(a, r): points served by r that a would serve better than their second-nearest.
        use = droppable[n1r] & (lists.dist < d2r) & ~self.open[lists.site]
        extra_w = self.wl[use] * (d2r[use] - np.maximum(lists.dist[use], d1r[use]))
        pair, where = np.unique(lists.site[use] * prob.m + n1r[use], return_inverse=True)
        add, drop = pair // prob.m, pair % prob.m
        profit = gain[add] - loss[drop] + np.bincount(where.ravel(), weights=extra_w)
        # Pairs sharing no point: their profit is gain - loss, best for the extremes.
        best_add = int(np.argmax(gain))
        best_drop = int(free_open[np.argmin(loss[free_open])])
        add = np.append(add, best_add)
        drop = np.append(drop, best_drop)
        profit = np.append(profit, gain[best_add] - loss[best_drop])
        total = float((prob.w * self.d1).sum())
        good = np.flatnonzero(profit > 1e-9 * max(total, 1.0))
        good = good[np.argsort(-profit[good], kind="stable")]
        return list(zip(add[good].tolist(), drop[good].tolist(), strict=True))


def _rows_of(owner: NDArray, order: NDArray, site: int) -> NDArray:
    """Points whose ``owner`` (nearest or second-nearest open site) is ``site``."""
    lo, hi = np.searchsorted(owner[order], [site, site + 1])
    return order[lo:hi]


def _list_end(lists: _Lists, n: int) -> NDArray:
    """Largest list distance per point (a stand-in for 'far' before anything is open)."""
    end = np.zeros(n)
    np.maximum.at(end, lists.row, lists.dist)
    return end


def _local_search(
    prob: _Problem,
    lists: _Lists,
    clock: milp.Clock,
    starts: list[NDArray] | None = None,
    greedy_start: bool = True,
) -> NDArray:
    """Swaps from the greedy choice and from each start (topped up greedily); the best wins."""
    best, best_value = np.flatnonzero(prob.fixed), math.inf
    for start in [*([None] if greedy_start else []), *(starts or [])]:
        loc = _Local(prob, lists)
        if start is not None:
            start = start[~prob.fixed[start]]
            loc.open[start[: prob.p - int(loc.open.sum())]] = True
        loc.greedy(clock)
        loc.swap(clock)
        value = loc.value()
        if value < best_value:
            best, best_value = np.flatnonzero(loc.open), value
    return best


class _Lagrangian:
    """Lagrangian relaxation of the restricted model's assignment rows, with reduction tests.

    For multipliers ``u``: ``L(u) = sum(u) + sum_i min(0, c_fallback_i - u_i) + sum over open
    sites of rho_j`` with ``rho_j = sum_i min(0, w_i d_ij - u_i)``, where the open sites are the
    fixed ones plus the ``p - |fixed|`` free ones of least ``rho``. Every ``L(u)`` is a lower bound
    (the relaxation's dual equals the LP bound); subgradient ascent raises it.

    On cells (:class:`~.geometry.Cells`) the multiplier of each point is ``w_i (a + r_i)`` for
    its cell's level ``a = u / W``, and the cell's share of ``rho_j`` is bounded from below with
    only the cell's totals (:func:`_terms`): by the triangle inequality, ``W min(0, d - a -
    2R)``, and by Jensen's, ``W min(0, d - a) - spread - jensen`` (``d`` from the cell's centre,
    ``R`` its reach); the larger is used. Both are at most the points' own terms, so ``L`` stays
    a lower bound for the points, and a cell served by one open site loses nothing but
    ``jensen`` (millimetres).

    Reduction tests (Beasley's): a free site left out whose forced opening would lift ``L`` above
    the incumbent cost ``upper`` is closed in every better solution; one taken whose forced closing
    would do so is open in every better solution. The tests only drop solutions no better than
    ``upper``, so ``min(upper, bound)`` stays a valid bound for the whole problem.
    """

    def __init__(self, prob: _Problem, lists: _Lists) -> None:
        self.prob, self.lists = prob, lists
        self.ce = prob.w[lists.row] * lists.dist
        self.has_fb = np.isfinite(lists.fallback)
        self.cf = prob.w * np.where(self.has_fb, lists.fallback, 0.0)
        self._sorted: tuple[NDArray, ...] | None = None
        cells = prob.cells
        if cells is not None:
            # Per row: the triangle term's offset (2 W R) and the Jensen term's floor (minus its
            # loss); for a fallback, which is no site, only the triangle bounds hold: twice the
            # spread.
            self.two_wr = 2 * cells.weight * cells.reach
            self.floor = -(cells.spread + cells.jensen)
            self.fb_floor = -2 * cells.spread
            self.spread_total = float(cells.spread.sum())

    def _by_site(self) -> tuple[NDArray, ...]:
        """The entries ordered by site (the subgradient only needs those of the open sites, a
        slice each): ``(row, site, ce, two_wr, floor, starts)``, cell terms None on points."""
        if self._sorted is None:
            lists, cells = self.lists, self.prob.cells is not None
            by_site, starts = lists.by_site(self.prob.m)
            row = lists.row[by_site]
            self._sorted = (
                row, lists.site[by_site], self.ce[by_site],
                self.two_wr[row] if cells else None, self.floor[row] if cells else None, starts,
            )  # fmt: skip
        return self._sorted

    def run(
        self,
        incumbent: NDArray,
        u: NDArray,
        closed: NDArray,
        opened: NDArray,
        clock: milp.Clock,
        iters: int = 600,
        patience: int | None = 20,
        longest: int | None = None,
        adaptive: bool = False,
    ) -> tuple[float, NDArray, NDArray, NDArray]:
        """Subgradient ascent from ``u``; updates ``closed``/``opened`` in place. The step
        halves after ``patience`` steps without a better bound, or after ``longest`` steps at one
        size (None: never). ``adaptive`` scales each row's step down by the root of its
        subgradients' squares so far (AdaGrad): rows that keep swinging between two sites settle
        while the others move on.

        Every few steps the sites open in the relaxed solution are priced exactly and replace
        ``incumbent`` (positions of open sites) when cheaper. Returns ``(bound, incumbent, u,
        open_at_best)``: ``bound <= cost(incumbent)`` is valid for the whole problem, and the
        sites open at the best multipliers ``u`` are a good start for local search.
        """
        prob = self.prob
        upper = prob.cost(incumbent)
        best, best_u, best_open = -np.inf, u, incumbent
        theta, stall, since = 2.0, 0, 0
        patience = iters if patience is None else patience
        longest = iters if longest is None else longest
        row, site, ce, two_wr, floor, starts = self._by_site()
        cells = prob.cells is not None
        spread_total = self.spread_total if cells else 0.0
        work = np.empty((2 if cells else 1, ce.size))
        g_squares = np.zeros(prob.n)
        n_closed = int(closed.sum())
        for it in range(iters):
            slack = 1e-9 * max(abs(upper), 1.0)
            free = np.flatnonzero(~opened & ~closed)
            k_free = prob.p - int(opened.sum())
            if k_free < 0 or k_free > free.size:
                return upper, incumbent, best_u, best_open  # nothing can beat the incumbent
            if it % 20 == 0 and closed.sum() > n_closed:
                # Entries of closed sites no longer matter: drop them to speed up the rest.
                keep = ~closed[site]
                row, site, ce, n_closed = row[keep], site[keep], ce[keep], int(closed.sum())
                starts = np.searchsorted(site, np.arange(prob.m + 1))
                if cells:
                    two_wr, floor = two_wr[keep], floor[keep]
            rho = _site_sums(ce, u, row, starts, two_wr, floor, work)
            if 0 < k_free < free.size:
                pick = free[np.argpartition(rho[free], k_free - 1)[:k_free]]
            else:
                pick = free if k_free else free[:0]
            is_open = opened.copy()
            is_open[pick] = True
            fb, fb_falls = _terms(
                self.cf - u, self.two_wr if cells else None, self.fb_floor if cells else None
            )
            fb, fb_falls = np.where(self.has_fb, fb, 0.0), self.has_fb & fb_falls
            value = float(u.sum() + spread_total + fb.sum() + rho[is_open].sum())
            if value > best:
                best, best_u, best_open, stall = value, u, np.flatnonzero(is_open), 0
            else:
                stall += 1
            since += 1
            if stall >= patience or since >= longest:
                theta, stall, since = theta / 2, 0, 0
            if it % 10 == 0:
                candidate = np.flatnonzero(is_open)
                cost = prob.cost_below(candidate, upper)
                if cost < upper:
                    incumbent, upper = candidate, cost
                    clock.found()
            if 0 < k_free < free.size:
                out = free[~is_open[free]]
                worst_in, best_out = rho[pick].max(), rho[out].min()
                closed[out[value + rho[out] - worst_in > upper + slack]] = True
                opened[pick[value - rho[pick] + best_out > upper + slack]] = True
            at = _slices(starts, np.flatnonzero(is_open))
            _, falls = _terms(
                ce[at] - u[row[at]], two_wr[at] if cells else None, floor[at] if cells else None
            )
            served = np.bincount(row[at], weights=falls, minlength=prob.n)
            g = 1.0 - served - fb_falls
            if adaptive:
                g_squares += g * g
                step = g / np.sqrt(g_squares + 0.1)
            else:
                step = g
            norm = float((g * step).sum())  # not g @ step: BLAS thread wake-ups cost ms
            if best >= upper - slack or norm == 0 or theta < 1e-4 or clock.expired():
                break
            u = u + theta * max(upper - value, slack) / norm * step
        return min(best, upper), incumbent, best_u, best_open

    def on_points(self, u: NDArray, opened: NDArray, closed: NDArray) -> float:
        """``L(u)`` for cells, with the ``rho`` of the sites most likely open summed over the
        points themselves: a bound at least as high, still valid.

        The points get the multipliers ``w_i (a + r_i)`` the cell terms were derived for (they
        add up to the cell's ``u`` plus its spread), so each site's sum over the points of its
        entries' cells is at least the cells' ``rho`` and, like it, at most what the points'
        own Lagrangian has. The sites open in the relaxed solution are summed over the points,
        then those that take their place, until the open ones are all summed or their
        point-site pairs would pass :data:`POINT_PAIRS`; the others keep the cells' ``rho``.
        """
        prob, cells = self.prob, self.prob.cells
        lat, lng, w = prob.points
        row, site, ce, two_wr, floor, starts = self._by_site()
        rho = _site_sums(ce, u, row, starts, two_wr, floor)
        fb, _ = _terms(self.cf - u, self.two_wr, self.fb_floor, falls=False)
        base = float(u.sum() + self.spread_total + fb[self.has_fb].sum())
        free = np.flatnonzero(~opened & ~closed)
        k_free = prob.p - int(opened.sum())
        if k_free < 0 or k_free > free.size:
            return -np.inf
        npts = np.bincount(cells.index, minlength=len(cells))
        pairs = _run_sums(npts[row].astype(float), starts)  # point-site pairs per site
        by_cell = np.argsort(cells.index, kind="stable")
        cell_start = np.searchsorted(cells.index[by_cell], np.arange(len(cells) + 1))
        summed, budget = np.zeros(prob.m, dtype=bool), float(POINT_PAIRS)
        while True:
            chosen = opened.copy()
            if 0 < k_free < free.size:
                chosen[free[np.argpartition(rho[free], k_free - 1)[:k_free]]] = True
            else:
                chosen[free[:k_free]] = True
            new = np.flatnonzero(chosen & ~summed)
            if new.size == 0 or pairs[new].sum() > budget:
                return base + float(rho[chosen].sum())
            at = _slices(starts, new)
            pts = by_cell[_slices(cell_start, row[at])]
            cell = cells.index[pts]
            to = np.repeat(site[at], npts[row[at]])
            d = haversine_m(lat[pts], lng[pts], prob.slat[to], prob.slng[to])
            terms = np.minimum(w[pts] * (d - u[cell] / cells.weight[cell] - cells.radius[pts]), 0)
            rho[new] = np.maximum(rho[new], np.bincount(to, terms, minlength=prob.m)[new])
            summed[new], budget = True, budget - pairs[new].sum()


def _run_sums(x: NDArray, starts: NDArray) -> NDArray:
    """Sums of ``x`` over the runs ``starts[j]:starts[j + 1]`` (zero for an empty run)."""
    sums = np.zeros(starts.size - 1)
    some = np.flatnonzero(starts[:-1] < starts[1:])
    if some.size:
        sums[some] = np.add.reduceat(x, starts[some])
    return sums


def _terms(
    x: NDArray,
    two_wr: NDArray | None,
    floor: NDArray | None,
    falls: bool = True,
    over: NDArray | None = None,
) -> tuple[NDArray, NDArray | None]:
    """Lower bounds on the reduced costs ``x = w d - u``, written over ``x``, and where they
    fall as ``u`` rises (when ``falls``).

    For cells, the larger of the triangle term ``min(0, x - 2WR)`` and the Jensen term
    ``min(0, x) - loss`` (``floor = -loss``); as ``loss <= 2WR`` that is ``min(x, 0) + clip(x -
    2WR, -loss, 0)``, and only one of the two parts moves at a time. ``over``: room for a
    temporary as long as ``x``.
    """
    if two_wr is None:
        fall = (x < 0) if falls else None
        return np.minimum(x, 0.0, out=x), fall
    over = np.subtract(x, two_wr, out=over)
    fall = ((x < 0) | ((over > floor) & (over < 0))) if falls else None
    np.minimum(over, 0.0, out=over)
    np.maximum(over, floor, out=over)
    np.minimum(x, 0.0, out=x)
    x += over
    return x, fall


def _site_sums(
    ce: NDArray,
    u: NDArray,
    row: NDArray,
    starts: NDArray,
    two_wr: NDArray | None,
    floor: NDArray | None,
    work: NDArray | None = None,
) -> NDArray:
    """``rho`` per site: the sum of :func:`_terms` over its entries (ordered by site, its run
    starting at ``starts``). This is most of a Lagrangian step, so it works in place, in
    ``work`` (two rows at least as long as the entries, reused from step to step: fresh arrays
    of this size cost as much again in page faults), and sums each run with
    ``np.add.reduceat`` (half the time of ``np.bincount``)."""
    if work is None:
        work = np.empty((2 if two_wr is not None else 1, ce.size))
    x = np.take(u, row, out=work[0, : ce.size], mode="clip")  # "raise" would buffer
    np.subtract(ce, x, out=x)
    red, _ = _terms(
        x, two_wr, floor, falls=False, over=work[1, : ce.size] if work.shape[0] > 1 else None
    )
    return _run_sums(red, starts)


def _slices(starts: NDArray, which: NDArray) -> NDArray:
    """Positions ``starts[j]:starts[j + 1]`` for every ``j`` in ``which``, concatenated."""
    lo, hi = starts[which], starts[which + 1]
    lengths = hi - lo
    return np.repeat(lo - (np.cumsum(lengths) - lengths), lengths) + np.arange(lengths.sum())


def _on_cells(prob: _Problem) -> _Problem:
    """The same problem with its points gathered into at most :data:`SEARCH_CELLS` cells;
    costs stay exact (on the points) and the Lagrangian bound stays valid for the points."""
    cells = cells_at_most(prob.lat, prob.lng, prob.w, SEARCH_CELLS)
    return _Problem(
        lat=cells.lat,
        lng=cells.lng,
        w=cells.weight,
        slat=prob.slat,
        slng=prob.slng,
        fixed=prob.fixed,
        p=prob.p,
        cells=cells,
        points=(prob.lat, prob.lng, prob.w),
    )


def _refine_cells(
    prob: _Problem, one: _PhaseOne, k: int, clock: milp.Clock, rate: float = math.inf
) -> tuple[NDArray, float]:
    """Sharpen the bound: split the cells whose spread can cost it — those near their nearest
    chosen site, or about as near to their second (within :data:`SPLIT_MARGIN` times their
    reach), nearest first — into quarters, again and again up to :data:`SPLIT_CELLS`; lengthen
    the lists so that they reach past each cell's second chosen site; then go on with the
    Lagrangian from the multipliers so far, and finally sum the open sites over the points
    (:meth:`_Lagrangian.on_points`). A cell served by one site well inside its level and far
    from the others loses nothing, so only cells along the service boundaries and near the
    sites need to be small. Returns ``(chosen, bound)``; the best of the bounds is kept."""
    chosen, bound, u = one.chosen, one.bound, one.u
    lat, lng, w = prob.points
    cells, level = prob.cells, u / prob.w
    _, dist = prob.nearest_open(chosen, 2)
    d1 = dist[:, 0]
    d2 = dist[:, 1] if dist.shape[1] > 1 else np.full(prob.n, np.inf)
    most = int(np.clip(SPLIT_CELLS_PER_SITE * prob.p, *SPLIT_CELLS))
    while True:
        risk = np.minimum(d2 - d1, d1) / cells.reach  # margins in reaches: small is risky
        room = (most - len(cells)) // 3
        risky = np.flatnonzero((risk < SPLIT_MARGIN) & (cells.reach > 1.0))
        if risky.size == 0 or room <= 0:
            break
        split = np.zeros(len(cells), dtype=bool)
        split[risky[np.argsort(risk[risky], kind="stable")[:room]]] = True
        cells, parent = split_cells(lat, lng, w, cells, split)
        level, d1, d2 = level[parent], d1[parent], d2[parent]  # a child stays near its parent
    if cells is prob.cells:
        return chosen, bound
    prob = replace(prob, lat=cells.lat, lng=cells.lng, w=cells.weight, cells=cells)
    # Lists reaching past each cell's second-nearest chosen site: its level can rise to about
    # there (what closing its own site would cost it), and a list ending sooner caps the level
    # with its fallback. At p = 200 of 20,000 sites, lists to 1.25 d1 left the gap at 2.2 %
    # after 60 s; to d2, 1.7 %.
    reach = np.maximum(1.25 * d1, d2) + 2 * cells.reach + 30.0
    k = np.clip(count_within(prob.lat, prob.lng, prob.slat, prob.slng, reach) + 1, k, 4 * K_CAP)
    # Building the lists cannot stop half-way: only when the time left holds it (by the entries
    # per second the first lists took), else phase one's answer and bound stand.
    left = clock.remaining()
    if left is not None and k.sum() > left * rate:
        return chosen, bound
    lists = _Lists.build(prob, np.minimum(k, prob.m))
    closed, opened = np.zeros(prob.m, dtype=bool), prob.fixed.copy()
    # From this warm start the bound creeps up by crumbs at each step size and jumps when the
    # step halves, so it halves every 60 steps rather than after a stall, and each row's step
    # adapts (AdaGrad). At p = 200 of 20,000 sites, 60 s: plain steps halving after 10 stalls,
    # gap 1.5 %; adaptive, after 25 stalls, 1.03 %; adaptive, every 60 steps, 0.96 %.
    lag = _Lagrangian(prob, lists)
    more, chosen, u, _ = lag.run(
        chosen, cells.weight * level, closed, opened, clock,
        patience=None, longest=60, adaptive=True,
    )  # fmt: skip
    on_points = min(lag.on_points(u, opened, closed), prob.cost(chosen))
    return chosen, max(bound, more, on_points)


def _merge_points(lat: NDArray, lng: NDArray, w: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    keep = w > 0
    pts, inverse = np.unique(np.column_stack([lat[keep], lng[keep]]), axis=0, return_inverse=True)
    merged = np.bincount(inverse.ravel(), weights=w[keep], minlength=len(pts))
    return pts[:, 0], pts[:, 1], merged


def _one_median(prob: _Problem, clock: milp.Clock) -> NDArray | None:
    """Exact 1-median by evaluating every allowed site in chunks (memory: chunk × points);
    None when the clock runs out first."""
    costs = np.empty(prob.m)
    for lo in range(0, prob.m, _CHUNK):
        if clock.expired():
            return None
        hi = min(lo + _CHUNK, prob.m)
        d = haversine_m(prob.lat[None, :], prob.lng[None, :], prob.slat[lo:hi, None],
                        prob.slng[lo:hi, None])  # fmt: skip
        costs[lo:hi] = d @ prob.w
    return np.array([int(np.argmin(costs))])


def solve_pmedian(
    demand: DemandPoints,
    candidates: Facilities,
    *,
    p: int,
    fixed: ArrayLike | None = None,
    excluded: ArrayLike | None = None,
    method: str = "auto",
    time_limit: float | None = None,
    k: int | None = None,
    reduce: bool = True,
) -> Solution:
    """Choose ``p`` candidates minimising sum of weight × haversine metres to the nearest one.

    ``fixed`` sites are always chosen and count towards ``p``; ``excluded`` are never chosen.
    ``method``: ``"exact"`` (Lagrangian reduction, then enumeration or HiGHS on nearest-k lists;
    see the module docstring), ``"heuristic"`` (greedy + fast swaps, Lagrangian-guided; LP or
    Lagrangian bound) or ``"auto"`` (the exact method, or the heuristic on cells when the points
    are too many for it, :data:`AGGREGATE_ENTRIES`; within ``milp.AUTO_TIME_LIMIT`` s unless
    ``time_limit`` is given). Every method keeps ``time_limit``; HiGHS runs within the memory
    budget (``milp.MEMORY_BUDGET_MB``), and when the restricted model would not fit, phase one's
    answer and bound stand (``method == "heuristic"``). ``k`` overrides the
    initial list length; ``reduce=False`` skips the Lagrangian phase of the exact method and
    hands the whole restricted model to HiGHS (slower; for checking). The objective is always
    recomputed from the chosen sites with exact distances.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    clock = milp.auto_clock(method, time_limit)
    m_all = len(candidates)
    fixed_mask, excluded_mask = fixed_and_excluded(m_all, fixed, excluded, p)
    allowed = np.flatnonzero(~excluded_mask)
    lat, lng, w = _merge_points(demand.lat, demand.lng, demand.weight)
    prob = _Problem(
        lat=lat,
        lng=lng,
        w=w,
        slat=candidates.lat[allowed],
        slng=candidates.lng[allowed],
        fixed=fixed_mask[allowed],
        p=int(p),
    )
    if prob.n and prob.p == 0:
        raise ValueError("p-median needs p >= 1 when there is demand")

    k0 = initial_k(prob.m, prob.p) if k is None else int(min(max(k, 1), prob.m))
    everything = (np.concatenate([prob.lat, prob.slat]), np.concatenate([prob.lng, prob.slng]))
    on_cells = method != "exact" and prob.n * k0 > AGGREGATE_ENTRIES and cells_fit(*everything)
    # "auto" spends its time on the exact method (phase one, then the sites left undecided by
    # enumeration or HiGHS, within the memory budget) unless the points are too many for that.
    use_exact = method == "exact" or (method == "auto" and not on_cells)
    used = "exact" if use_exact else "heuristic"
    search = clock.for_search()
    trivial = _trivial(prob)
    one_median = _one_median(prob, search) if trivial is None and prob.p == 1 else None
    if trivial is not None or one_median is not None:
        chosen = trivial if trivial is not None else one_median
        objective = prob.cost(chosen)
        bound, status, bound_kind = objective, "optimal", "simple"
        search.found()
    elif prob.p == 1:  # the 1-median ran out of time: every point's nearest site bounds it
        chosen, objective, bound, status, bound_kind = _nearest_bound(prob)
        used = "heuristic"
    elif use_exact:
        chosen, objective, bound, status, bound_kind = _exact(prob, k0, search, reduce)
        used = "heuristic" if status == "heuristic" else used
    else:
        search_clock = search
        if on_cells:
            prob = _on_cells(prob)
            # Steps end their round after the clock runs out, and pricing a choice on all the
            # points takes a while (about a second for half a million): keep some time for that.
            if clock.limit is not None:
                search_clock = clock.within(PRICING_RESERVE * clock.limit - clock.elapsed)
        lists = _Lists.build(prob, np.full(prob.n, k0))
        chosen, bound, bound_kind = _heuristic(prob, lists, search_clock)
        objective, status = prob.cost(chosen), "heuristic"

    bound = min(bound, objective)
    gap = relative_gap(objective, bound)
    if (status == "optimal" and gap < 1e-9) or gap < 1e-12:
        bound, gap = objective, 0.0
        search.proved()
    return Solution(
        model="pmedian",
        method=used,
        objective=objective,
        chosen=np.sort(allowed[chosen]),
        bound=bound,
        gap=gap,
        seconds=clock.elapsed,
        bound_kind=bound_kind,
        status=status,
        seconds_to_best=search.best_at,
        seconds_to_proof=search.proof_at if gap == 0 else None,
    )


def _nearest_bound(prob: _Problem) -> tuple[NDArray, float, float, str, str]:
    """The site nearest to the most weight, and the bound of every point served by its own
    nearest site: the answer when the 1-median cannot be computed in time."""
    idx, dist = nearest_k(prob.lat, prob.lng, prob.slat, prob.slng, 1)
    votes = np.bincount(idx[:, 0], weights=prob.w, minlength=prob.m)
    chosen = np.array([int(np.argmax(votes))])
    return chosen, prob.cost(chosen), float(prob.w @ dist[:, 0]), "time_limit", "simple"


@dataclass
class _PhaseOne:
    chosen: NDArray
    cost: float
    bound: float  # L(u) at ``u`` (capped at ``cost``)
    u: NDArray
    closed: NDArray
    opened: NDArray


def _phase_one(
    prob: _Problem,
    lists: _Lists,
    clock: milp.Clock,
    iters: tuple[int, int] = (600, 300),
    restart: bool = True,
) -> _PhaseOne:
    """Greedy + swaps; the Lagrangian (bound, reduction tests, priced relaxed solutions); swaps
    from the sites open at its best multipliers, which often reach a far better local optimum;
    then the Lagrangian again with that sharper incumbent (``iters`` steps each time; no second
    search unless ``restart``)."""
    # Half the time at most for the first search, so that the Lagrangian gets its turn.
    chosen = _local_search(prob, lists, clock.share(0.5))
    clock.found()
    closed, opened = np.zeros(prob.m, dtype=bool), prob.fixed.copy()
    _, dist = prob.nearest_open(chosen)
    u = prob.w * dist[:, 0]
    if clock.expired():  # no bound beyond the points' nearest sites
        upper = prob.cost(chosen)
        return _PhaseOne(chosen, upper, _nearest_sites_bound(prob, lists), u, closed, opened)
    lag = _Lagrangian(prob, lists)
    bound, chosen, u, lag_open = lag.run(chosen, u, closed, opened, clock, iters=iters[0])
    upper = prob.cost(chosen)
    if restart and bound < upper * (1 - 1e-10) and not clock.expired():
        free = [s[~prob.fixed[s]] for s in (lag_open, chosen)]
        other = _local_search(prob, lists, clock, free, greedy_start=False)
        if prob.cost(other) < upper:
            clock.found()
            more, chosen, more_u, _ = lag.run(other, u, closed, opened, clock, iters=iters[1])
            upper = prob.cost(chosen)
            if more > bound:
                bound, u = more, more_u
    return _PhaseOne(chosen, upper, min(bound, upper), u, closed, opened)


def _nearest_sites_bound(prob: _Problem, lists: _Lists) -> float:
    """Every point served by its nearest allowed site (its list's first entry): a lower bound.
    Not on cells, whose centres may lie nearer to a site than their points: 0 there."""
    if prob.cells is not None:
        return 0.0
    first = np.full(prob.n, np.inf)
    np.minimum.at(first, lists.row, lists.dist)
    return float(prob.w @ first)


def _trivial(prob: _Problem) -> NDArray | None:
    """The answer when nothing is left to decide, else None."""
    n_fixed = int(prob.fixed.sum())
    if prob.n and prob.p != n_fixed and prob.p != prob.m:
        return None
    rest = np.flatnonzero(~prob.fixed)[: prob.p - n_fixed]
    return np.sort(np.concatenate([np.flatnonzero(prob.fixed), rest]))


def _enumerate(prob: _Problem, clock: milp.Clock) -> NDArray | None:
    """Best choice by trying every combination of the free sites (only for a few thousand);
    None when the clock runs out first."""
    base = np.full(prob.n, np.inf)
    fixed = np.flatnonzero(prob.fixed)
    if fixed.size:
        base = prob.nearest_open(fixed)[1][:, 0]
    free = np.flatnonzero(~prob.fixed)
    d = haversine_m(prob.lat[:, None], prob.lng[:, None], prob.slat[free], prob.slng[free])
    d = np.minimum(d, base[:, None])
    combos = np.array(list(itertools.combinations(range(free.size), prob.p - fixed.size)))
    best, best_cost = combos[0], math.inf
    batch = max(1, 4_000_000 // max(prob.n * combos.shape[1], 1))
    for lo in range(0, len(combos), batch):
        if clock.expired():
            return None
        part = combos[lo : lo + batch]
        costs = prob.w @ d[:, part].min(axis=2)
        i = int(np.argmin(costs))
        if costs[i] < best_cost:
            best, best_cost = part[i], float(costs[i])
    return np.sort(np.concatenate([fixed, free[best]]))


def _exact(prob: _Problem, k0: int, clock: milp.Clock, reduce: bool = True):
    """Phase one, then the sites the reduction tests did not settle: by enumeration when only
    a few combinations are left, else by HiGHS on a restricted model from which the assignments
    the Lagrangian proves too costly (``L(u) + max(0, w_i d_ij - u_i) > incumbent``) are left
    out — they can only occur in solutions worse than the incumbent.

    Returns ``(chosen, cost, bound, status, bound_kind)``; status "heuristic" when the restricted
    model did not fit the memory budget (phase one's answer and bound stand). Optimality proven
    by the Lagrangian bound means a relative gap below 1e-10 (tighter than HiGHS's own
    tolerances).
    """
    lists = _Lists.build(prob, np.full(prob.n, k0))
    if not reduce:  # HiGHS alone on the restricted model (for checking and benchmarks)
        chosen, cost, bound, status = _mip_loop(prob, np.full(prob.n, k0), clock)
        if chosen is None:
            chosen = _local_search(prob, lists, clock)
            cost = prob.cost(chosen)
            status = "heuristic" if status == "memory" else status
        return chosen, cost, bound, status, "mip"
    one = _phase_one(prob, lists, clock)
    chosen, upper, bound = one.chosen, one.cost, one.bound
    if bound >= upper * (1 - 1e-10):
        return chosen, upper, bound, "optimal", "lagrangian"
    if clock.expired():
        return chosen, upper, bound, "time_limit", "lagrangian"
    keep = np.flatnonzero(~one.closed)
    sub = _Problem(
        prob.lat, prob.lng, prob.w, prob.slat[keep], prob.slng[keep], one.opened[keep], prob.p
    )
    n_free, k_free = int((~sub.fixed).sum()), sub.p - int(sub.fixed.sum())
    sub_chosen = _trivial(sub)
    combos = math.comb(n_free, k_free) if sub_chosen is None else 0
    if sub_chosen is not None:  # the reduction tests settled every site
        sub_cost = sub.cost(sub_chosen)
        sub_bound, status, kind = sub_cost, "optimal", "lagrangian"
    elif combos <= ENUMERATE_MAX and combos * sub.n * k_free <= ENUMERATE_WORK:
        sub_chosen = _enumerate(sub, clock)
        sub_cost = math.inf if sub_chosen is None else sub.cost(sub_chosen)
        sub_bound = sub_cost if sub_chosen is not None else -math.inf
        status, kind = (
            ("optimal", "enumeration") if sub_chosen is not None else ("time_limit", "lagrangian")
        )
    else:
        too_costly = bound + np.maximum(prob.w[lists.row] * lists.dist - one.u[lists.row], 0)
        drop = too_costly > upper * (1 + 1e-9)
        # Codes of (point, site) pairs, sites numbered as in ``prob``.
        dropped = np.sort(lists.row[drop] * prob.m + lists.site[drop])
        sub_k = np.full(sub.n, sub.m if sub.m <= 64 else initial_k(sub.m, sub.p))
        sub_chosen, sub_cost, sub_bound, status = _mip_loop(
            sub, sub_k, clock, (dropped, keep, prob.m)
        )
        kind = "mip"
        if status == "memory":
            status, kind = "heuristic", "lagrangian"
    if sub_chosen is not None and sub_cost < upper:
        chosen, upper = keep[sub_chosen], sub_cost
        clock.found()
    # Solutions the tests removed cost more than the incumbent, so the larger bound holds.
    return chosen, upper, min(upper, max(bound, sub_bound)), status, kind


def _without(lists: _Lists, dropped: NDArray, site_ids: NDArray, m: int) -> _Lists:
    """``lists`` minus the dropped (point, site) pairs; each point keeps at least its nearest."""
    codes = lists.row * m + site_ids[lists.site]
    keep = ~np.isin(codes, dropped, assume_unique=False)
    n = lists.fallback.size
    left = np.bincount(lists.row[keep], minlength=n) > 0
    first = np.zeros(lists.row.size, dtype=bool)
    first[np.searchsorted(lists.row, np.arange(n))[np.bincount(lists.row, minlength=n) > 0]] = True
    keep |= first & ~left[lists.row]
    return _Lists(lists.row[keep], lists.site[keep], lists.dist[keep], lists.fallback)


def _mip_loop(
    prob: _Problem,
    k_rows: NDArray,
    clock: milp.Clock,
    dropped: tuple[NDArray, NDArray, int] | None = None,
):
    """Solve restricted models, growing lists where the fallback was used, until proven.

    ``dropped = (codes, site_ids, m)`` lists assignments to leave out, coded as
    ``point * m + site_ids[site]``. Returns ``(chosen or None, cost, bound, status)``; status
    "memory" when a model does not fit the memory budget.
    """
    while True:
        lists = _Lists.build(prob, k_rows)
        if dropped is not None and dropped[0].size:
            lists = _without(lists, *dropped)
        out = milp.solve(*_model(prob, lists), time_limit=clock.remaining())
        if out.unavailable:  # the model does not fit the memory budget (or HiGHS failed)
            return None, math.inf, -math.inf, "memory"
        if out.x is None:  # timed out without an incumbent
            return None, math.inf, out.bound, "time_limit"
        chosen = np.flatnonzero(out.x[: prob.m] > 0.5)
        cost = prob.cost(chosen)
        if not out.optimal:
            return chosen, cost, out.bound, "time_limit"
        if cost <= out.objective + 1e-9 * max(abs(out.objective), 1.0):
            return chosen, cost, out.bound, "optimal"
        f = out.x[prob.m + lists.row.size :]
        fb_rows = np.flatnonzero(np.isfinite(lists.fallback))
        grow = fb_rows[f > 1e-6]
        grow = grow[k_rows[grow] < prob.m]
        if grow.size == 0 or clock.expired():
            # Cannot happen in exact arithmetic; stop with the valid bound rather than loop.
            return chosen, cost, out.bound, "time_limit" if clock.expired() else "optimal"
        k_rows[grow] = np.minimum(k_rows[grow] * 2, prob.m)


def _heuristic(prob: _Problem, lists: _Lists, clock: milp.Clock) -> tuple[NDArray, float, str]:
    """Phase one of the exact method; the bound is the LP relaxation's when the restricted model
    is small (HiGHS needs seconds for degenerate p-median LPs beyond), else the Lagrangian one."""
    if prob.cells is not None:
        # The bound on the search cells is coarse until they are split: few steps there, the
        # rest after; and no LP, which would bound the cells' centres only.
        # Half the time at most there, so that the split cells get theirs.
        one = _phase_one(prob, lists, clock.share(0.5), (150, 100), restart=False)
        rate = lists.row.size / max(lists.seconds, 1e-3)  # entries built per second
        chosen, bound = _refine_cells(prob, one, lists.row.size // prob.n, clock, rate)
        return chosen, bound, "lagrangian"
    one = _phase_one(prob, lists, clock)
    chosen, upper, bound = one.chosen, one.cost, one.bound
    # The model has two nonzeros per list entry, and a few more: count before building it.
    small = 2 * lists.row.size + prob.n + prob.m <= PMEDIAN_LP_MAX_NNZ
    if bound < upper and small and not clock.expired():
        out = milp.solve(*_model(prob, lists), relax=True, time_limit=clock.remaining())
        if np.isfinite(out.bound):
            return chosen, max(bound, out.bound), "lp"
    return chosen, bound, "lagrangian"
