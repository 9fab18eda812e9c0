"""The Lagrangian relaxation of the assignment rows: bounds, reduction tests and, on cells,
terms that keep the bound valid for the points."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .. import milp
from ..geometry import haversine_m
from .problem import _Lists, _Problem

POINT_PAIRS = 5_000_000
"""The final bound on cells sums the open sites' terms over the points, up to this many
point-site pairs (a few hundred MB of temporaries)."""


class _Lagrangian:
    """Lagrangian relaxation of the restricted model's assignment rows, with reduction tests.

    For multipliers ``u``: ``L(u) = sum(u) + sum_i min(0, c_fallback_i - u_i) + sum over open
    sites of rho_j`` with ``rho_j = sum_i min(0, w_i d_ij - u_i)``, where the open sites are the
    fixed ones plus the ``p - |fixed|`` free ones of least ``rho``. Every ``L(u)`` is a lower bound
    (the relaxation's dual equals the LP bound); subgradient ascent raises it.

    On cells (:class:`~siting.geometry.Cells`) the multiplier of each point is ``w_i (a + r_i)`` for
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
