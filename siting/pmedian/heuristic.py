"""The heuristic: greedy, fast swaps and a Lagrangian bound (phase one of the exact method too).

Greedy on the nearest-k lists (:mod:`.problem`), then best-improvement swaps in the
fast-interchange form of Whitaker / Resende & Werneck: with exact nearest (``d1``) and
second-nearest (``d2``) open distances, ``profit(a, r) = gain(a) - loss(r) + extra(a, r)`` for
all pairs at once with sparse sums. Pairs outside the lists are left out, which can only
*under*-estimate a profit, so every swap made is a real improvement. Then a Lagrangian
relaxation of the assignment rows (subgradient ascent; its best value equals the LP bound) gives
the bound, prices its relaxed solutions, and the swaps are run again from the sites open at its
best multipliers — which regularly turns a local optimum 0.1-2 % off into the optimum. The
reported bound is the LP relaxation when the model is small (HiGHS needs seconds for these
degenerate LPs beyond :data:`PMEDIAN_LP_MAX_NNZ` nonzeros), the Lagrangian bound otherwise.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from .. import milp
from .cells import _refine_cells
from .lagrangian import _Lagrangian
from .model import _model
from .problem import _Lists, _PhaseOne, _Problem

PMEDIAN_LP_MAX_NNZ = 30_000
"""The heuristic's bound is the LP relaxation up to this many nonzeros, else Lagrangian."""


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
