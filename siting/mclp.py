"""Maximal covering location (MCLP): choose ``p`` sites covering the most demand weight.

Before anything, the model is reduced: excluded columns go, demand already covered by fixed sites
becomes a constant, demand nobody can reach goes, and demand points reached by exactly the same
set of candidates are merged (their weights add up).

Heuristic: greedy, then best-improvement swaps (one site out, one in) evaluated for all pairs at
once with sparse products; the same swaps are run again from the best solution of a Lagrangian
relaxation (and of the LP relaxation when that is small), which often lands on a much better
local optimum. When the LP relaxation was solved, HiGHS then solves the MILP restricted to a
small kernel of sites (those the LP leans on, plus the best local optimum), which finds the
combinations single swaps cannot reach. Its bound is the LP relaxation when the model has at
most ``milp.LP_BOUND_MAX_NNZ`` nonzeros, otherwise the Lagrangian bound (which converges to the
LP bound from above; at most 3,000 cheap subgradient steps).

Exact: a quick answer (greedy and swaps) and the Lagrangian bound, which stands if HiGHS gets
nowhere, then HiGHS on the whole model, started from that answer, with all the time left.

Auto: the heuristic; then, while its gap is above :data:`AUTO_GAP` and time is left, HiGHS on the
model *reduced by the bound* (:func:`_fix_by_bound`) and started from the heuristic's answer: with
the multipliers of the best bound (the LP's duals, or the Lagrangian's), a site whose forced
opening would bound every solution at or below the incumbent is closed, and one whose forced
closing would is opened. Solutions those tests remove are no better than the incumbent, so the
larger of the incumbent and HiGHS's bound on the rest bounds the whole. On a 10,000 × 500
instance that HiGHS alone proves in 28 s, 248 of the 500 sites close and the rest is proven in
7 s.

Every HiGHS call runs in the time left and within the memory budget (:mod:`.milp`); when a model
does not fit, the heuristic's answer stands (``method == "heuristic"``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import csr_array, hstack, identity, vstack

from . import milp
from .coverage import covered_weight, reach
from .data import DemandPoints, Facilities, Solution, fixed_and_excluded, relative_gap
from .geometry import neighbours_within

AUTO_EXACT_MAX_NNZ = 200_000
"""Multi-service placement (:mod:`.multiservice`) and LSCP call HiGHS first under
``method="auto"`` up to this many nonzeros."""

AUTO_GAP = 1e-9
"""Under ``method="auto"``, a gap above this after the heuristic (any gap beyond rounding) sends
the model, reduced by the bound, to HiGHS for the time left: even a 0.004 % gap on a reference
instance takes HiGHS a tenth of a second to close, and a planner who gave the optimiser a
minute would rather have the proof."""

KERNEL_MIN_LP = 0.1
"""The heuristic's last step solves the MILP on the sites whose LP value is at least this
(plus its best local optimum); lower thresholds give kernels HiGHS no longer settles fast."""

KERNEL_SECONDS = 5.0
"""At most this long (and a quarter of the time left) for that restricted MILP; its best answer
so far is kept either way."""

METHODS = ("auto", "exact", "heuristic")


@dataclass(frozen=True)
class _Reduced:
    a: csr_array  # merged demand rows × free candidate columns, 0/1
    w: NDArray  # weight per merged row
    cols: NDArray  # original positions of the free columns
    fixed: NDArray  # original positions of fixed sites
    k: int  # number of free sites to choose


def merge_identical_rows(a: csr_array, w: NDArray) -> tuple[csr_array, NDArray]:
    """Merge rows with the same sparsity pattern, adding their weights; drop empty rows and rows
    of weight 0. The first row of each pattern stands for it, in their order.

    Rows are grouped by a 64-bit hash of their columns (a sum of random keys, so the order of
    the columns does not matter) and then compared entry by entry with their group's first row:
    the merge is exact, and should two patterns ever share a hash the rows are merged one by one
    instead. A Python loop over the rows took a second at 50,000 rows.
    """
    a = csr_array(a)
    lengths = np.diff(a.indptr)
    keep = np.flatnonzero((lengths > 0) & (w > 0))
    if keep.size == 0:
        return csr_array((0, a.shape[1])), np.zeros(0)
    keys = np.random.default_rng(20_260_421).integers(1, 2**63, a.shape[1], dtype=np.uint64)
    nonempty = np.flatnonzero(lengths > 0)
    row_hash = np.zeros(a.shape[0], dtype=np.uint64)
    row_hash[nonempty] = np.add.reduceat(keys[a.indices], a.indptr[nonempty])  # wraps around
    _, group = np.unique(row_hash[keep], return_inverse=True)
    group = group.ravel()
    first = np.full(group.max() + 1, keep.size)
    np.minimum.at(first, group, np.arange(keep.size))
    rep = keep[first[group]]  # the row standing for each kept row
    if not _same_patterns(a, keep, rep):
        return _merge_one_by_one(a, w)
    order = np.argsort(first, kind="stable")  # groups by their first row
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    merged_w = np.bincount(rank[group], weights=w[keep], minlength=order.size)
    return csr_array(a[keep[first[order]]]), merged_w


def _same_patterns(a: csr_array, rows: NDArray, reps: NDArray) -> bool:
    """Whether each row has exactly the columns of its representative (sorted or not)."""
    b = a if a.has_sorted_indices else a.sorted_indices()
    lengths = np.diff(b.indptr)
    if (lengths[rows] != lengths[reps]).any():
        return False
    other = rows != reps
    rows, reps = rows[other], reps[other]
    n = lengths[rows]
    offsets = np.repeat(np.cumsum(n) - n, n)
    step = np.arange(int(n.sum())) - offsets
    mine = b.indices[np.repeat(b.indptr[rows], n) + step]
    theirs = b.indices[np.repeat(b.indptr[reps], n) + step]
    return bool((mine == theirs).all())


def _merge_one_by_one(a: csr_array, w: NDArray) -> tuple[csr_array, NDArray]:
    """:func:`merge_identical_rows` by a dictionary of patterns (slow, exact)."""
    b = a if a.has_sorted_indices else a.sorted_indices()
    rows: dict[bytes, int] = {}
    keep: list[int] = []
    new_w: list[float] = []
    for i in range(b.shape[0]):
        lo, hi = b.indptr[i], b.indptr[i + 1]
        if lo == hi or w[i] <= 0:
            continue
        key = b.indices[lo:hi].tobytes()
        r = rows.get(key)
        if r is None:
            rows[key] = len(keep)
            keep.append(i)
            new_w.append(float(w[i]))
        else:
            new_w[r] += float(w[i])
    return csr_array(a[np.asarray(keep, dtype=np.int64)]), np.asarray(new_w, dtype=float)


def _reduce(cover: csr_array, w: NDArray, p: int, fixed: NDArray, excluded: NDArray) -> _Reduced:
    free = ~fixed & ~excluded
    cols = np.flatnonzero(free)
    by_fixed = (cover @ fixed.astype(float)) > 0
    rows = np.flatnonzero(~by_fixed & (w > 0))
    a = csr_array(cover[rows][:, cols])
    a, ww = merge_identical_rows(a, w[rows])
    return _Reduced(a=a, w=ww, cols=cols, fixed=np.flatnonzero(fixed), k=p - int(fixed.sum()))


def _model(red: _Reduced):
    """MILP data: variables [y (free sites), z (merged demand rows)], minimising -covered."""
    r, f = red.a.shape
    c = np.concatenate([np.zeros(f), -red.w])
    a = vstack(
        [
            hstack([-red.a, identity(r, format="csr")]),
            csr_array((np.ones(f), np.arange(f), [0, f]), shape=(1, f + r)),
        ],
        format="csr",
    )
    row_lb = np.concatenate([np.full(r, -np.inf), [red.k]])
    row_ub = np.concatenate([np.zeros(r), [red.k]])
    lb, ub = np.zeros(f + r), np.ones(f + r)
    integer = np.concatenate([np.ones(f), np.zeros(r)])
    return c, a, row_lb, row_ub, lb, ub, integer


class _Local:
    """Coverage counts of a current choice, kept up to date as sites enter and leave."""

    def __init__(self, a: csr_array, w: NDArray) -> None:
        self.a, self.w = a, w
        self.at = csr_array(a.T)
        self.ac = a.tocsc()
        self.chosen = np.zeros(a.shape[1], dtype=bool)
        self.count = np.zeros(a.shape[0])
        self.tol = 1e-9 * max(1.0, float(w.sum()))

    def toggle(self, j: int, sign: int) -> None:
        self.count[self.at.indices[self.at.indptr[j] : self.at.indptr[j + 1]]] += sign
        self.chosen[j] = sign > 0

    def value(self) -> float:
        return float(self.w[self.count > 0].sum())

    def gain(self) -> NDArray:
        gain = self.at @ np.where(self.count == 0, self.w, 0.0)
        gain[self.chosen] = -np.inf
        return gain

    def greedy(self, k: int, clock: milp.Clock) -> None:
        """Add the site of the largest gain until k are chosen; once the clock runs out, the
        sites of the largest gains fill the rest at once."""
        while (missing := k - int(self.chosen.sum())) > 0:
            gain = self.gain()
            if clock.expired():
                for j in np.argsort(-gain, kind="stable")[:missing]:
                    self.toggle(int(j), +1)
                return
            self.toggle(int(np.argmax(gain)), +1)

    def swap(self, clock: milp.Clock) -> None:
        """Best-improvement 1-1 swaps until none improves (all pairs scored at once)."""
        k, f = int(self.chosen.sum()), self.a.shape[1]
        while 0 < k < f and not clock.expired():
            w_one = np.where(self.count == 1, self.w, 0.0)
            loss = self.at @ w_one
            s = np.flatnonzero(self.chosen)
            # extra[a, s]: weight covered only by s and also reached by a, kept by the swap.
            extra = (self.at @ csr_array(self.ac[:, s].multiply(w_one[:, None]))).toarray()
            profit = self.gain()[:, None] + extra - loss[s][None, :]
            best = np.unravel_index(int(np.argmax(profit)), profit.shape)
            if not profit[best] > self.tol:
                break
            self.toggle(int(s[best[1]]), -1)
            self.toggle(int(best[0]), +1)


def _local_search(
    a: csr_array,
    w: NDArray,
    k: int,
    clock: milp.Clock,
    starts: list[NDArray] | None = None,
    greedy_start: bool = True,
) -> NDArray:
    """Swaps from the greedy choice and from each start (topped up greedily); the best wins."""
    best, best_value = np.zeros(0, dtype=np.int64), -np.inf
    for start in [*([None] if greedy_start else []), *(starts or [])]:
        loc = _Local(a, w)
        for j in np.unique(start)[:k] if start is not None else ():
            loc.toggle(int(j), +1)
        loc.greedy(k, clock)
        loc.swap(clock)
        if loc.value() > best_value:
            best, best_value = np.flatnonzero(loc.chosen), loc.value()
    return best


def _lagrangian_bound(
    a: csr_array,
    w: NDArray,
    k: int,
    target: float,
    clock: milp.Clock,
    iters: int = 3000,
    lam: NDArray | None = None,
) -> tuple[float, NDArray, NDArray]:
    """Upper bound from relaxing ``z_i <= sum_j a_ij y_j`` with multipliers in ``[0, w_i]``.

    For any multipliers ``lam``: ``L = sum(w - lam) + (sum of the k largest (a.T @ lam))`` bounds
    the reduced optimum from above (the best such bound equals the LP bound); projected
    subgradient steps (Polyak, towards ``target``, the best known value) lower it. Returns the
    bound, the k columns chosen at the best multipliers (a good start for local search) and
    those multipliers (for :func:`_fix_by_bound`).
    """
    r, f = a.shape
    if r == 0 or k == 0:
        return 0.0, np.zeros(0, dtype=np.int64), np.zeros(r)
    at = csr_array(a.T)
    if lam is None:
        # Start from the best of a few scalings of w: half the weight suits instances covered
        # in part, an eighth or less those where almost everything can be covered (50,000 ×
        # 2,000 at 400 m: from w/2 the bound was still above the total weight after 13 s).
        lam = w * min(
            (0.5, 0.25, 0.125, 0.0625, 0.03125), key=lambda s: _lagrangian(at, w, k, s * w)
        )
    best, best_top, best_lam, theta, stall = np.inf, np.arange(0), lam, 2.0, 0
    for _ in range(iters):
        v = at @ lam
        top = np.argpartition(-v, k - 1)[:k] if k < f else np.arange(f)
        value = float((w - lam).sum() + v[top].sum())
        if value < best - 1e-9 * max(1.0, abs(value)):
            best, best_top, best_lam, stall = value, top, lam, 0
        else:
            stall += 1
            if stall >= 30:
                theta, stall = theta / 2, 0
        # Rows reached by the top columns, counted from their slices (cheaper than a @ ind).
        rows = np.concatenate([at.indices[at.indptr[j] : at.indptr[j + 1]] for j in top])
        g = np.bincount(rows, minlength=r) - 1.0
        # Components pinned at a bound that the step would push further do not move.
        g[((lam <= 0) & (g > 0)) | ((lam >= w) & (g < 0))] = 0.0
        norm = float((g * g).sum())  # not g @ g: BLAS thread wake-ups cost ms per call
        if norm == 0 or theta < 1e-5 or best - target <= 1e-9 * max(1.0, best):
            break
        if clock.expired():
            break
        lam = np.clip(lam - theta * max(value - target, 1e-9) / norm * g, 0.0, w)
    return best, best_top, best_lam


def _lagrangian(at: csr_array, w: NDArray, k: int, lam: NDArray) -> float:
    """The Lagrangian bound at ``lam`` (see :func:`_lagrangian_bound`); ``at`` is ``a.T``."""
    v = at @ lam
    top = np.argpartition(-v, k - 1)[:k] if k < v.size else slice(None)
    return float((w - lam).sum() + v[top].sum())


def _value(red: _Reduced, chosen: NDArray) -> float:
    return float(red.w[_rows_covered(red.a, chosen)].sum())


class _Best:
    """The best choice found so far (positions among the reduced columns) and the best upper
    bound on the reduced optimum, with the multipliers that gave it; tells the clock when the
    answer improves and when it is proven."""

    def __init__(self, red: _Reduced, clock: milp.Clock) -> None:
        self.red, self.clock = red, clock
        self.chosen, self.value = np.zeros(0, dtype=np.int64), -np.inf
        self.bound, self.kind = float(red.w.sum()), "simple"
        self.lam: NDArray | None = None

    def offer(self, chosen: NDArray | None, at: float | None = None) -> None:
        if chosen is None:
            return
        value = _value(self.red, chosen)
        if value > self.value:
            self.chosen, self.value = np.asarray(chosen, dtype=np.int64), value
            self.clock.found(at)
            self._check()

    def bound_by(self, bound: float, kind: str, lam: NDArray | None = None) -> None:
        if bound < self.bound:
            self.bound, self.kind = bound, kind
            self.lam = lam if lam is not None else self.lam
            self._check()

    @property
    def gap(self) -> float:
        return relative_gap(self.value, self.bound)

    def _check(self) -> None:
        if self.value >= self.bound - 1e-9 * max(1.0, abs(self.bound)):
            self.clock.proved()


def _heuristic(red: _Reduced, best: _Best, clock: milp.Clock, lp: bool = True) -> None:
    """Greedy + swaps, then swaps from the best Lagrangian solution (and, for a small model,
    from the LP relaxation's), then the MILP on the LP's kernel; each step within its share of
    the time left. Offers its answers and bounds to ``best``."""
    best.offer(_local_search(red.a, red.w, red.k, clock.share(0.4)))
    bound, top, lam = _lagrangian_bound(red.a, red.w, red.k, best.value, clock.share(0.3))
    best.bound_by(bound, "lagrangian", lam)
    starts, lp_y = [top], None
    if lp and red.a.nnz <= milp.LP_BOUND_MAX_NNZ and not clock.expired():
        out = milp.solve(*_model(red), relax=True, time_limit=clock.share(0.5).remaining())
        if out.x is not None and np.isfinite(out.bound):
            lp_y = out.x[: red.a.shape[1]]
            starts.append(np.argsort(-lp_y, kind="stable")[: red.k])
            # The LP's duals on the coverage rows are Lagrangian multipliers at the LP bound.
            duals = None if out.row_dual is None else -out.row_dual[: red.a.shape[0]]
            best.bound_by(-out.bound, "lp", None if duals is None else np.clip(duals, 0, red.w))
    best.offer(_local_search(red.a, red.w, red.k, clock, starts, greedy_start=False))
    if lp_y is not None and not clock.expired():
        kernel = np.union1d(np.flatnonzero(lp_y >= KERNEL_MIN_LP), best.chosen)
        best.offer(_kernel_solve(red, kernel, clock))


def _kernel_solve(red: _Reduced, kernel: NDArray, clock: milp.Clock) -> NDArray | None:
    """The exact MILP restricted to the ``kernel`` columns, within :data:`KERNEL_SECONDS` (and a
    quarter of the time left).

    The kernel (the sites the LP relaxation leans on, plus the best local optimum) is small
    enough for HiGHS to settle in about a second, and the combinations swaps cannot reach are
    found there: on a clustered 10,000 × 500 instance it lifted the swaps' 197,653 to 199,200,
    above what CBC found in 600 s.
    """
    if red.k > kernel.size:
        return None
    a, w = merge_identical_rows(csr_array(red.a[:, kernel]), red.w)
    sub = _Reduced(a=a, w=w, cols=kernel, fixed=red.fixed, k=red.k)
    remaining = clock.remaining()
    limit = KERNEL_SECONDS if remaining is None else min(KERNEL_SECONDS, 0.25 * remaining)
    out = milp.solve(*_model(sub), time_limit=limit)
    if out.x is None:
        return None
    return kernel[np.flatnonzero(out.x[: kernel.size] > 0.5)]


def _fix_by_bound(red: _Reduced, lam: NDArray, value: float) -> tuple[NDArray, NDArray]:
    """Sites closed and opened in every choice better than ``value``, by the Lagrangian bound at
    ``lam``: ``L - v_k + v_j`` bounds every choice with site j outside the k best (by ``v = a.T @
    lam``) forced in, and ``L - v_j + v_(k+1)`` every choice with one of them forced out."""
    f, k = red.a.shape[1], red.k
    closed, opened = np.zeros(f, dtype=bool), np.zeros(f, dtype=bool)
    if not 0 < k < f:
        return closed, opened
    v = csr_array(red.a.T) @ lam
    order = np.argsort(-v, kind="stable")
    top = np.zeros(f, dtype=bool)
    top[order[:k]] = True
    bound = float((red.w - lam).sum() + v[top].sum())
    slack = 1e-9 * max(1.0, abs(value))
    closed[~top] = bound - v[order[k - 1]] + v[~top] <= value + slack
    opened[top] = bound - v[top] + v[order[k]] <= value + slack
    return closed, opened


def _milp(red: _Reduced, clock: milp.Clock, start: NDArray | None) -> milp.MilpOutcome:
    """HiGHS on ``red`` in the time left, started from the choice ``start`` when given."""
    model = _model(red)
    x0 = None
    if start is not None:
        x0 = np.full(model[0].size, np.nan)
        x0[: red.a.shape[1]] = 0.0
        x0[start] = 1.0
    return milp.solve(*model, time_limit=clock.remaining(), start=x0)


def _exact(red: _Reduced, best: _Best, clock: milp.Clock) -> str:
    """HiGHS on the whole model, started from a quick answer; returns the status, or
    "heuristic" when the model does not fit the memory budget (the heuristic then ran)."""
    best.offer(_local_search(red.a, red.w, red.k, clock.share(0.2)))
    # A bound that stands if HiGHS gets nowhere in the time (its LP alone can take minutes, and
    # its dual bound stays loose until then).
    bound, _, lam = _lagrangian_bound(red.a, red.w, red.k, best.value, clock.share(0.15))
    best.bound_by(bound, "lagrangian", lam)
    out = _milp(red, clock, best.chosen)
    if out.x is not None:
        best.offer(np.flatnonzero(out.x[: red.a.shape[1]] > 0.5), out.found_at)
    if out.unavailable:
        _heuristic(red, best, clock)
        return "heuristic"
    if np.isfinite(out.bound):
        best.bound_by(-out.bound, "mip")
    return "optimal" if out.optimal else "time_limit"


def _tighten(red: _Reduced, best: _Best, clock: milp.Clock) -> None:
    """HiGHS on the model reduced by the bound (:func:`_fix_by_bound`), started from the best
    answer, in the time left; the larger of the incumbent and its bound bounds the whole."""
    value = best.value
    # Without multipliers (no bound below the total weight yet) nothing is fixed: HiGHS gets the
    # whole model, started from the incumbent.
    lam = best.lam if best.lam is not None else np.zeros(red.a.shape[0])
    closed, opened = _fix_by_bound(red, lam, value)
    free, forced = np.flatnonzero(~closed & ~opened), np.flatnonzero(opened)
    by_forced = _rows_covered(red.a, forced)
    a, w = merge_identical_rows(csr_array(red.a[~by_forced][:, free]), red.w[~by_forced])
    constant = float(red.w[by_forced].sum())
    sub = _Reduced(a=a, w=w, cols=free, fixed=forced, k=red.k - forced.size)
    if sub.k == 0 or a.shape[0] == 0 or free.size <= sub.k:
        # Nothing left to decide: the forced sites (topped up with any free ones) are optimal
        # among the choices the tests left, and none removed beats the incumbent.
        chosen = np.concatenate([forced, free[: sub.k]])
        best.offer(chosen)
        best.bound_by(max(value, _value(red, chosen)), "mip")
        return
    # The incumbent starts HiGHS when the tests kept it (they may drop it, as no better).
    kept = np.isin(forced, best.chosen).all() and np.isin(best.chosen, free).sum() == sub.k
    out = _milp(sub, clock, np.flatnonzero(np.isin(free, best.chosen)) if kept else None)
    if out.x is not None:
        chosen = np.concatenate([forced, free[np.flatnonzero(out.x[: free.size] > 0.5)]])
        best.offer(chosen, out.found_at)
    if np.isfinite(out.bound):
        best.bound_by(max(value, constant - out.bound), "mip")


def solve_mclp_cover(
    cover: csr_array,
    weight: ArrayLike,
    *,
    p: int,
    fixed: ArrayLike | None = None,
    excluded: ArrayLike | None = None,
    method: str = "auto",
    time_limit: float | None = None,
    clock: milp.Clock | None = None,
) -> Solution:
    """MCLP on a given demand × candidate reach matrix (its sparsity pattern is the reach).

    ``fixed``/``excluded`` are boolean masks or position lists. Fixed sites are always chosen and
    count towards ``p``; excluded sites are never chosen. Exactly ``p`` sites are returned.
    ``clock`` (instead of ``time_limit``): a clock already running, e.g. since the reach matrix
    was built.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    clock = milp.auto_clock(method, time_limit) if clock is None else clock
    cover = reach(csr_array(cover))
    w = np.asarray(weight, dtype=float).ravel()
    m = cover.shape[1]
    fixed_mask, excluded_mask = fixed_and_excluded(m, fixed, excluded, p)
    red = _reduce(cover, w, int(p), fixed_mask, excluded_mask)
    search = clock.for_search()
    best = _Best(red, search)
    used, status = method, "heuristic"
    if red.k == 0 or red.a.shape[0] == 0:
        # Nothing left to decide: every choice covers the same weight.
        best.offer(np.zeros(0, dtype=np.int64))
        best.bound_by(0.0, "simple")
        used = "exact" if method == "exact" else "heuristic"
        status = "optimal"
    elif method == "exact":
        status = _exact(red, best, search)
        used = "heuristic" if status == "heuristic" else "exact"
    else:
        _heuristic(red, best, search)
        used = "heuristic"
        if method == "auto" and best.gap > AUTO_GAP and not search.expired():
            _tighten(red, best, search)
            used, status = "exact", "time_limit"

    chosen = _complete(red, best.chosen)
    objective = covered_weight(cover, w, _mask(chosen, m))
    constant = objective - float(red.w[_rows_covered(red.a, best.chosen)].sum())
    bound = max(constant + best.bound, objective)
    gap = relative_gap(objective, bound)
    if gap < 1e-9:
        bound, gap = objective, 0.0
        status = "optimal" if used == "exact" else status
    return Solution(
        model="mclp",
        method=used,
        objective=objective,
        chosen=chosen,
        bound=bound,
        gap=gap,
        seconds=clock.elapsed,
        bound_kind=best.kind,
        status=status,
        seconds_to_best=search.best_at,
        seconds_to_proof=search.proof_at if gap == 0 else None,
    )


def _rows_covered(a: csr_array, cols: NDArray) -> NDArray:
    ind = np.zeros(a.shape[1])
    ind[cols] = 1.0
    return (a @ ind) > 0


def _mask(index: NDArray, m: int) -> NDArray:
    mask = np.zeros(m, dtype=bool)
    mask[index] = True
    return mask


def _complete(red: _Reduced, chosen_free: NDArray) -> NDArray:
    """Fixed + chosen free sites, padded with unused free sites so that exactly p are returned
    (padding adds no coverage; it only happens when fewer sites already reach everything)."""
    chosen = set(red.fixed.tolist()) | set(red.cols[chosen_free].tolist())
    need = len(red.fixed) + red.k - len(chosen)
    for j in red.cols:
        if need <= 0:
            break
        if j not in chosen:
            chosen.add(int(j))
            need -= 1
    return np.array(sorted(chosen), dtype=np.int64)


def solve_mclp(
    demand: DemandPoints,
    candidates: Facilities,
    *,
    p: int,
    radius_m: float,
    fixed: ArrayLike | None = None,
    excluded: ArrayLike | None = None,
    method: str = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Choose ``p`` candidates maximising the demand weight within ``radius_m`` (haversine).

    ``method``: ``"exact"`` (HiGHS MILP, proven optimal unless ``time_limit`` stops it; then
    ``status == "time_limit"`` and ``bound`` is the better of HiGHS's dual bound and the
    Lagrangian one), ``"heuristic"`` (greedy + swaps, with an LP or Lagrangian bound) or
    ``"auto"`` (the heuristic, then HiGHS on the model reduced by the bound until the gap closes
    or the time is up; within ``milp.AUTO_TIME_LIMIT`` s unless ``time_limit`` is given). The
    time limit covers the whole solve, finding the pairs within reach included.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    clock = milp.auto_clock(method, time_limit)
    dist = neighbours_within(demand.lat, demand.lng, candidates.lat, candidates.lng, radius_m)
    return solve_mclp_cover(
        dist, demand.weight, p=p, fixed=fixed, excluded=excluded, method=method, clock=clock
    )
