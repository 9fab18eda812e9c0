"""Location set covering (LSCP) and its partial form.

Fewest sites so that the weight within ``radius_m`` of a chosen site reaches ``target`` × the
*coverable* weight (the weight that any allowed candidate, fixed ones included, can reach);
``target = 1.0`` covers every coverable point of positive weight, however small its weight:
feasibility never rests on a tolerance there. Fixed sites count in the number of sites.

Exact: a MILP (set cover rows, or for ``target < 1`` covered-weight variables and one
knapsack-like row) solved by HiGHS, started from the heuristic's answer. Heuristic: greedy (by
rows newly covered for a full cover, by weight for a partial one) until the target is met, then
drop sites that became redundant; the same again from the sites a Lagrangian relaxation opens.

Every method reports a real lower bound: the Lagrangian relaxation of the coverage rows
(:func:`_lagrangian`, subgradient ascent; its best value approaches the LP bound), the LP
relaxation itself when the model is small, HiGHS's dual bound when it ran, and a counting bound;
the best of them, rounded up. ``auto`` runs the heuristic and, while a gap is left and time
remains, HiGHS on the model reduced by the Lagrangian bound (sites that cannot be in any answer
with fewer sites are dropped, those that must be are fixed).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import csr_array, hstack, identity, vstack

from . import milp
from .coverage import cover_counts, reach
from .data import DemandPoints, Facilities, Solution, fixed_and_excluded, relative_gap
from .geometry import neighbours_within
from .mclp import METHODS, merge_identical_rows

_REL_TOL = 1e-12
"""A partial target is met when the covered weight falls short of it by at most this share of
the coverable weight: room for the rounding of a sum, not for a point's weight."""

LAGRANGIAN_STEPS = 3000
"""At most this many subgradient steps (each about 9 ms at 2.7 million coverage pairs), within
the time given; the step halves after 50 without a better bound (after 20, the bound of a
50,000 × 2,000 cover stalled at 46 where 54 was within reach in the same 10 s)."""


def _model(a: csr_array, w: NDArray, need: float, full: bool):
    """Variables [y (free sites), z (rows, only when partial)], minimising the number of sites."""
    r, f = a.shape
    if full:
        c = np.ones(f)
        return c, a, np.ones(r), np.full(r, np.inf), np.zeros(f), np.ones(f), np.ones(f)
    c = np.concatenate([np.ones(f), np.zeros(r)])
    mat = vstack(
        [
            hstack([-a, identity(r, format="csr")]),
            csr_array(np.concatenate([np.zeros(f), w])[None, :]),
        ],
        format="csr",
    )
    row_lb = np.concatenate([np.full(r, -np.inf), [need]])
    row_ub = np.concatenate([np.zeros(r), [np.inf]])
    integer = np.concatenate([np.ones(f), np.zeros(r)])
    return c, mat, row_lb, row_ub, np.zeros(f + r), np.ones(f + r), integer


class _Cover:
    """The rows to cover and when a choice covers enough of them."""

    def __init__(self, a: csr_array, w: NDArray, need: float, full: bool, tol: float) -> None:
        self.a, self.w, self.need, self.full, self.tol = a, w, need, full, tol
        self.at = csr_array(a.T)

    def enough(self, count: NDArray) -> bool:
        """Whether rows covered ``count`` times (> 0: covered) meet the target: every row for a
        full cover, the needed weight (exactly rounded sum) for a partial one."""
        if self.full:
            return bool((count > 0).all())
        return math.fsum(self.w[count > 0]) >= self.need - self.tol

    def counts(self, chosen: NDArray) -> NDArray:
        ind = np.zeros(self.a.shape[1])
        ind[chosen] = 1.0
        return self.a @ ind

    def greedy(self, start: NDArray | None = None) -> NDArray:
        """Add the site covering the most of what is uncovered (rows for a full cover, weight
        for a partial one) until the target is met; then drop, least useful first, every site
        whose removal keeps it."""
        a, at = self.a, self.at
        count = np.zeros(a.shape[0])
        chosen: list[int] = []
        for j in [] if start is None else np.unique(start).tolist():
            chosen.append(int(j))
            count[at.indices[at.indptr[j] : at.indptr[j + 1]]] += 1
        value = np.ones_like(self.w) if self.full else self.w
        while not self.enough(count):
            gain = at @ np.where(count == 0, value, 0.0)
            gain[chosen] = -1.0
            j = int(np.argmax(gain))
            if gain[j] <= 0:
                break  # cannot happen when the rows are coverable
            chosen.append(j)
            count[at.indices[at.indptr[j] : at.indptr[j + 1]]] += 1
        loss_now = at @ np.where(count == 1, value, 0.0)
        for j in sorted(chosen, key=lambda j: loss_now[j]):
            rows = at.indices[at.indptr[j] : at.indptr[j + 1]]
            count[rows] -= 1
            if self.enough(count):
                chosen.remove(j)
            else:
                count[rows] += 1
        return np.array(sorted(chosen), dtype=np.int64)


def _knapsack(lam: NDArray, w: NDArray, need: float, full: bool) -> tuple[float, NDArray]:
    """``min lam @ z`` over ``0 <= z <= 1`` with ``w @ z >= need``: the cheapest rows per unit
    of weight first, the last one in part. Returns the value and ``z``."""
    if full:
        return float(lam.sum()), np.ones_like(lam)
    order = np.argsort(lam / w, kind="stable")
    before = np.concatenate([[0.0], np.cumsum(w[order])[:-1]])
    z = np.zeros_like(lam)
    z[order] = np.clip((need - before) / w[order], 0.0, 1.0)
    return float(lam @ z), z


def _lagrangian(
    cov: _Cover, upper: float, clock: milp.Clock, steps: int = LAGRANGIAN_STEPS
) -> tuple[float, NDArray, NDArray]:
    """Lower bound from relaxing ``z_i <= sum_j a_ij y_j`` with multipliers ``lam >= 0``.

    ``L(lam) = sum_j min(0, 1 - v_j) + min{lam @ z : w @ z >= need, 0 <= z <= 1}`` with ``v =
    a.T @ lam`` bounds the fewest sites from below for every ``lam`` (for a full cover ``z`` is
    all ones); subgradient steps (Polyak, towards ``upper``) raise it. Returns the best bound,
    its multipliers and the sites it opens (``v_j > 1``).
    """
    a, w = cov.a, cov.w
    if a.nnz == 0:
        return 0.0, np.zeros(a.shape[0]), np.zeros(0, dtype=np.int64)
    # Start dual feasible (a.T @ lam <= 1): each row at 1 / the size of its largest column.
    inv = 1.0 / np.maximum(np.diff(cov.at.indptr), 1)
    lam = np.zeros(a.shape[0])
    some = np.flatnonzero(np.diff(a.indptr) > 0)
    lam[some] = np.minimum.reduceat(inv[a.indices], a.indptr[some])
    best, best_lam, theta, stall = -np.inf, lam, 2.0, 0
    for _ in range(steps):
        v = cov.at @ lam
        knap, z = _knapsack(lam, w, cov.need, cov.full)
        value = float(np.minimum(0.0, 1.0 - v).sum()) + knap
        if value > best + 1e-9:
            best, best_lam, stall = value, lam, 0
        else:
            stall += 1
            if stall >= 50:
                theta, stall = theta / 2, 0
        g = z - cov.counts(np.flatnonzero(v > 1.0))
        g[(lam <= 0) & (g < 0)] = 0.0  # pinned at zero
        norm = float((g * g).sum())
        if norm == 0 or theta < 1e-4 or math.ceil(best - 1e-6) >= upper or clock.expired():
            break
        lam = np.maximum(lam + theta * max(upper - value, 1e-3) / norm * g, 0.0)
    return best, best_lam, np.flatnonzero(cov.at @ best_lam > 1.0)


def _simple_bound(cov: _Cover) -> int:
    """Fewest sites whose individual coverages could add up to the target (a valid lower bound)."""
    value = np.ones_like(cov.w) if cov.full else cov.w
    need = value.sum() if cov.full else cov.need - cov.tol
    single = np.sort(cov.at @ value)[::-1]
    reached = np.cumsum(single) >= need
    return int(np.argmax(reached)) + 1 if reached.any() else single.size


class _Best:
    """The fewest sites so far and the best lower bound, noting times on the clock."""

    def __init__(self, cov: _Cover, clock: milp.Clock) -> None:
        self.cov, self.clock = cov, clock
        # Every allowed site covers all there is to cover: the answer until a better one comes.
        self.chosen, self.found = np.arange(cov.a.shape[1]), False
        self.bound, self.kind = 0.0, "simple"
        self.lam: NDArray | None = None

    def offer(self, chosen: NDArray | None, at: float | None = None) -> None:
        if chosen is None:
            return
        chosen = np.asarray(chosen, dtype=np.int64)
        fewer = chosen.size < self.chosen.size or (
            chosen.size == self.chosen.size and not self.found
        )
        if fewer and self.cov.enough(self.cov.counts(chosen)):
            self.found = True
            self.chosen = chosen
            self.clock.found(at)
            self._check()

    def bound_by(self, bound: float, kind: str, lam: NDArray | None = None) -> None:
        if math.ceil(bound - 1e-6) > math.ceil(self.bound - 1e-6):
            self.bound, self.kind = bound, kind
            self.lam = lam if lam is not None else self.lam
            self._check()

    @property
    def gap(self) -> float:
        return relative_gap(float(self.chosen.size), float(math.ceil(self.bound - 1e-6)))

    def _check(self) -> None:
        if self.gap == 0:
            self.clock.proved()


def _heuristic(cov: _Cover, best: _Best, clock: milp.Clock) -> None:
    """Greedy; the Lagrangian bound and a greedy completing the sites it opens; the LP bound
    when the model is small."""
    best.offer(cov.greedy())
    best.bound_by(_simple_bound(cov), "simple")
    if best.gap == 0:
        return
    bound, lam, opened = _lagrangian(cov, best.chosen.size, clock.share(0.5))
    best.bound_by(bound, "lagrangian", lam)
    if best.gap > 0 and not clock.expired():
        best.offer(cov.greedy(opened))
    if best.gap > 0 and cov.a.nnz <= milp.LP_BOUND_MAX_NNZ and not clock.expired():
        out = milp.solve(
            *_model(cov.a, cov.w, cov.need - cov.tol, cov.full),
            relax=True,
            time_limit=clock.share(0.5).remaining(),
        )
        if np.isfinite(out.bound):
            best.bound_by(out.bound, "lp")


def _milp(cov: _Cover, clock: milp.Clock, start: NDArray | None) -> milp.MilpOutcome | None:
    """HiGHS on ``cov`` in the time left, started from ``start``; None when infeasible."""
    model = _model(cov.a, cov.w, cov.need - cov.tol, cov.full)
    x0 = None
    if start is not None:
        x0 = np.full(model[0].size, np.nan)
        x0[: cov.a.shape[1]] = 0.0
        x0[start] = 1.0
    try:
        return milp.solve(*model, time_limit=clock.remaining(), start=x0)
    except ValueError:  # infeasible: only a reduced model can be (nothing better exists)
        return None


def _chosen(cov: _Cover, out: milp.MilpOutcome | None) -> NDArray | None:
    """HiGHS's sites, topped up greedily should its tolerances have left the target short."""
    if out is None or out.x is None:
        return None
    chosen = np.flatnonzero(out.x[: cov.a.shape[1]] > 0.5)
    return chosen if cov.enough(cov.counts(chosen)) else cov.greedy(chosen)


def _exact(cov: _Cover, best: _Best, clock: milp.Clock) -> str:
    """HiGHS on the whole model, started from the greedy answer; the Lagrangian bound first, so
    that a bound stands if HiGHS gets nowhere. Returns the status, or
    "heuristic" when the model does not fit the memory budget (the heuristic then ran)."""
    best.offer(cov.greedy())
    best.bound_by(_simple_bound(cov), "simple")
    bound, lam, _ = _lagrangian(cov, best.chosen.size, clock.share(0.3))
    best.bound_by(bound, "lagrangian", lam)
    if best.gap == 0:
        return "optimal"
    out = _milp(cov, clock, best.chosen)
    best.offer(_chosen(cov, out), None if out is None else out.found_at)
    if out is not None and out.unavailable:
        _heuristic(cov, best, clock)
        return "heuristic"
    if out is not None and np.isfinite(out.bound):
        best.bound_by(out.bound, "mip")
    return "optimal" if best.gap == 0 else "time_limit"


def _tighten(cov: _Cover, best: _Best, clock: milp.Clock) -> None:
    """HiGHS on the model reduced by the Lagrangian bound: in an answer with fewer sites than
    the incumbent's ``u``, no site whose forced opening lifts ``L`` above ``u - 1`` is open and
    every site whose forced closing does is open."""
    upper = best.chosen.size
    # Without multipliers (no Lagrangian bound above the counting one) nothing is fixed: HiGHS
    # gets the whole model.
    lam = best.lam if best.lam is not None else np.zeros(cov.a.shape[0])
    v = cov.at @ lam
    knap, _ = _knapsack(lam, cov.w, cov.need, cov.full)
    reduced = 1.0 - v
    bound = float(np.minimum(0.0, reduced).sum()) + knap
    limit = upper - 1 + 1e-6
    closed = bound + np.maximum(reduced, 0.0) > limit
    opened = bound - np.minimum(reduced, 0.0) > limit
    free, forced = np.flatnonzero(~closed & ~opened), np.flatnonzero(opened)
    rows = cov.counts(forced) == 0
    left = csr_array(cov.a[rows][:, free])
    if cov.full and (np.diff(left.indptr) == 0).any():
        best.bound_by(float(upper), "mip")  # a row only closed sites reach: nothing better
        return
    a, w = merge_identical_rows(left, cov.w[rows])
    need = cov.need - (cov.w[~rows].sum() if not cov.full else 0.0)
    sub = _Cover(a, w, need, cov.full, cov.tol)
    done = a.shape[0] == 0 or (not cov.full and need <= cov.tol)
    if done or free.size == 0:
        # The forced sites alone meet the target, or nothing is left to add: either way no
        # answer with fewer sites than the incumbent's is left outside what was tried.
        if done:
            best.offer(forced)
        best.bound_by(min(float(upper), float(forced.size)) if done else float(upper), "mip")
        return
    out = _milp(sub, clock, None)
    if out is None:  # no answer with fewer sites
        best.bound_by(float(upper), "mip")
        return
    sub_chosen = _chosen(sub, out)
    if sub_chosen is not None:
        best.offer(np.concatenate([forced, free[sub_chosen]]), out.found_at)
    if np.isfinite(out.bound):
        best.bound_by(min(float(upper), forced.size + out.bound), "mip")


def solve_lscp_cover(
    cover: csr_array,
    weight: ArrayLike,
    *,
    target: float | None = 1.0,
    fixed: ArrayLike | None = None,
    excluded: ArrayLike | None = None,
    method: str = "auto",
    time_limit: float | None = None,
    clock: milp.Clock | None = None,
) -> Solution:
    """LSCP on a given demand × candidate reach matrix (its sparsity pattern is the reach).
    ``target=None`` means 1.0; ``clock`` (instead of ``time_limit``): a clock already running."""
    target = 1.0 if target is None else target
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    if not 0 < target <= 1:
        raise ValueError(f"target must be in (0, 1], got {target!r}")
    clock = milp.auto_clock(method, time_limit) if clock is None else clock
    cover = reach(csr_array(cover))
    w = np.asarray(weight, dtype=float).ravel()
    m = cover.shape[1]
    fixed_mask, excluded_mask = fixed_and_excluded(m, fixed, excluded)
    allowed = ~excluded_mask
    coverable = (cover_counts(cover, allowed) > 0) & (w > 0)
    total = math.fsum(w[coverable])
    by_fixed = cover_counts(cover, fixed_mask) > 0
    full = target == 1.0
    need = (total if full else target * total) - math.fsum(w[coverable & by_fixed])

    cols = np.flatnonzero(allowed & ~fixed_mask)
    rows = np.flatnonzero(coverable & ~by_fixed)
    a, ww = merge_identical_rows(csr_array(cover[rows][:, cols]), w[rows])
    cov = _Cover(a, ww, need, full, _REL_TOL * total)
    search = clock.for_search()
    best = _Best(cov, search)
    used, status = method, "heuristic"
    if (full and a.shape[0] == 0) or (not full and need <= cov.tol):
        best.offer(np.zeros(0, dtype=np.int64))  # nothing left to decide
        used = "exact" if method == "exact" else "heuristic"
        status = "optimal"
    elif method == "exact":
        status = _exact(cov, best, search)
        used = "heuristic" if status == "heuristic" else "exact"
    else:
        _heuristic(cov, best, search)
        used = "heuristic"
        if method == "auto" and best.gap > 0 and not search.expired():
            _tighten(cov, best, search)
            used, status = "exact", "optimal" if best.gap == 0 else "time_limit"

    chosen = np.sort(np.concatenate([np.flatnonzero(fixed_mask), cols[best.chosen]]))
    objective = float(chosen.size)
    # The objective is a whole number of sites, so a fractional bound rounds up.
    bound = min(float(fixed_mask.sum() + math.ceil(best.bound - 1e-6)), objective)
    gap = relative_gap(objective, bound)
    return Solution(
        model="lscp",
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


def solve_lscp(
    demand: DemandPoints,
    candidates: Facilities,
    *,
    radius_m: float,
    target: float | None = 1.0,
    fixed: ArrayLike | None = None,
    excluded: ArrayLike | None = None,
    method: str = "auto",
    time_limit: float | None = None,
) -> Solution:
    """Fewest candidates covering ``target`` × the coverable weight within ``radius_m``.

    Fixed sites are always chosen and counted; excluded sites are never chosen and do not make
    demand coverable. ``Solution.objective`` is the number of chosen sites. The time limit
    covers the whole solve, finding the pairs within reach included.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    clock = milp.auto_clock(method, time_limit)
    dist = neighbours_within(demand.lat, demand.lng, candidates.lat, candidates.lng, radius_m)
    return solve_lscp_cover(
        dist,
        demand.weight,
        target=target,
        fixed=fixed,
        excluded=excluded,
        method=method,
        clock=clock,
    )
