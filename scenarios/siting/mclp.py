"""Maximal covering location (MCLP): choose ``p`` sites covering the most demand weight.

Exact: a MILP solved by HiGHS; when HiGHS stops on its time limit, the heuristic's answer is
kept if better, and the smaller of the two bounds is reported.

Heuristic: greedy, then best-improvement swaps (one site out, one in) evaluated for all pairs at
once with sparse products; the same swaps are run again from the best solution of a Lagrangian
relaxation (and of the LP relaxation when that is small), which often lands on a much better
local optimum. When the LP relaxation was solved, HiGHS then solves the MILP restricted to a
small kernel of sites (those the LP leans on, plus the best local optimum), which finds the
combinations single swaps cannot reach. Its bound is the LP relaxation when the model has at
most ``milp.LP_BOUND_MAX_NNZ`` nonzeros, otherwise the Lagrangian bound (which converges to the
LP bound from above; at most 3,000 cheap subgradient steps).

Before either, the model is reduced: excluded columns go, demand already covered by fixed sites
becomes a constant, demand nobody can reach goes, and demand points reached by exactly the same
set of candidates are merged (their weights add up).
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
"""``method="auto"`` solves exactly when the reduced coverage matrix has at most this many
nonzeros, above it heuristically. How long HiGHS needs depends more on the instance than on its
size (the reference instances take 0.1 s; a clustered 5,000 × 300 one with the same nonzeros
count as the largest can take minutes), so ``auto`` also caps the exact solve at
:data:`AUTO_EXACT_SECONDS`."""

AUTO_EXACT_SECONDS = 3.0
"""Under ``method="auto"`` HiGHS gets at most this long before the heuristic takes over (the
better answer and the smaller bound are kept): the reference instances need 0.2 s at most,
while a clustered 10,000 × 500 one is proven neither by HiGHS nor by CBC in 10 minutes, and
the heuristic's kernel step beats both of their answers in about 2 s. Ask for "exact" to let
HiGHS use the whole time limit."""

KERNEL_MIN_LP = 0.1
"""The heuristic's last step solves the MILP on the sites whose LP value is at least this
(plus its best local optimum); lower thresholds give kernels HiGHS no longer settles fast."""

KERNEL_SECONDS = 5.0
"""At most this long for that restricted MILP; its best answer so far is kept either way."""

METHODS = ("auto", "exact", "heuristic")


@dataclass(frozen=True)
class _Reduced:
    a: csr_array  # merged demand rows × free candidate columns, 0/1
    w: NDArray  # weight per merged row
    cols: NDArray  # original positions of the free columns
    fixed: NDArray  # original positions of fixed sites
    k: int  # number of free sites to choose


def merge_identical_rows(a: csr_array, w: NDArray) -> tuple[csr_array, NDArray]:
    """Merge rows with the same sparsity pattern, adding their weights; drop empty rows."""
    rows: dict[bytes, int] = {}
    keep: list[int] = []
    new_w: list[float] = []
    for i in range(a.shape[0]):
        lo, hi = a.indptr[i], a.indptr[i + 1]
        if lo == hi or w[i] <= 0:
            continue
        key = a.indices[lo:hi].tobytes()
        r = rows.get(key)
        if r is None:
            rows[key] = len(keep)
            keep.append(i)
            new_w.append(float(w[i]))
        else:
            new_w[r] += float(w[i])
    merged = a[np.asarray(keep, dtype=np.int64)] if keep else csr_array((0, a.shape[1]))
    return csr_array(merged), np.asarray(new_w, dtype=float)


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

    def greedy(self, k: int) -> None:
        while self.chosen.sum() < k:
            self.toggle(int(np.argmax(self.gain())), +1)

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
        loc.greedy(k)
        loc.swap(clock)
        if loc.value() > best_value:
            best, best_value = np.flatnonzero(loc.chosen), loc.value()
    return best


def _lagrangian_bound(
    a: csr_array, w: NDArray, k: int, target: float, clock: milp.Clock, iters: int = 3000
) -> tuple[float, NDArray]:
    """Upper bound from relaxing ``z_i <= sum_j a_ij y_j`` with multipliers in ``[0, w_i]``.

    For any multipliers ``lam``: ``L = sum(w - lam) + (sum of the k largest (a.T @ lam))`` bounds
    the reduced optimum from above (the best such bound equals the LP bound); projected
    subgradient steps (Polyak, towards ``target``, the best known value) lower it. Also returns
    the k columns chosen at the best multipliers, a good start for local search.
    """
    r, f = a.shape
    if r == 0 or k == 0:
        return 0.0, np.zeros(0, dtype=np.int64)
    at = csr_array(a.T)
    lam = w / 2
    best, best_top, theta, stall = np.inf, np.arange(0), 2.0, 0
    for _ in range(iters):
        v = at @ lam
        top = np.argpartition(-v, k - 1)[:k] if k < f else np.arange(f)
        value = float((w - lam).sum() + v[top].sum())
        if value < best - 1e-9 * max(1.0, abs(value)):
            best, best_top, stall = value, top, 0
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
    return best, best_top


def _value(red: _Reduced, chosen: NDArray) -> float:
    return float(red.w[_rows_covered(red.a, chosen)].sum())


def _heuristic(red: _Reduced, clock: milp.Clock, lp: bool = True) -> tuple[NDArray, float, str]:
    """Greedy + swaps, then swaps from the best Lagrangian solution (and, for a small model,
    from the LP relaxation's). Returns (choice, upper bound, bound kind)."""
    chosen = _local_search(red.a, red.w, red.k, clock)
    bound, top = _lagrangian_bound(red.a, red.w, red.k, _value(red, chosen), clock)
    starts, kind, lp_y = [top], "lagrangian", None
    if lp and red.a.nnz <= milp.LP_BOUND_MAX_NNZ and not clock.expired():
        out = milp.solve(*_model(red), relax=True, time_limit=clock.remaining())
        if out.x is not None and np.isfinite(out.bound):
            lp_y = out.x[: red.a.shape[1]]
            starts.append(np.argsort(-lp_y, kind="stable")[: red.k])
            bound, kind = min(bound, -out.bound), "lp"
    other = _local_search(red.a, red.w, red.k, clock, starts, greedy_start=False)
    if _value(red, other) > _value(red, chosen):
        chosen = other
    if lp_y is not None and not clock.expired():
        other = _kernel_solve(red, np.union1d(np.flatnonzero(lp_y >= KERNEL_MIN_LP), chosen), clock)
        if other is not None and _value(red, other) > _value(red, chosen):
            chosen = other
    return chosen, max(bound, _value(red, chosen)), kind


def _kernel_solve(red: _Reduced, kernel: NDArray, clock: milp.Clock) -> NDArray | None:
    """The exact MILP restricted to the ``kernel`` columns, within :data:`KERNEL_SECONDS`.

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
    limit = KERNEL_SECONDS if remaining is None else min(KERNEL_SECONDS, remaining)
    out = milp.solve(*_model(sub), time_limit=limit)
    if out.x is None:
        return None
    return kernel[np.flatnonzero(out.x[: kernel.size] > 0.5)]


def solve_mclp_cover(
    cover: csr_array,
    weight: ArrayLike,
    *,
    p: int,
    fixed: ArrayLike | None = None,
    excluded: ArrayLike | None = None,
    method: str = "auto",
    time_limit: float | None = None,
) -> Solution:
    """MCLP on a given demand × candidate reach matrix (its sparsity pattern is the reach).

    ``fixed``/``excluded`` are boolean masks or position lists. Fixed sites are always chosen and
    count towards ``p``; excluded sites are never chosen. Exactly ``p`` sites are returned.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    clock = milp.auto_clock(method, time_limit)
    cover = reach(csr_array(cover))
    w = np.asarray(weight, dtype=float).ravel()
    m = cover.shape[1]
    fixed_mask, excluded_mask = fixed_and_excluded(m, fixed, excluded, p)
    red = _reduce(cover, w, int(p), fixed_mask, excluded_mask)
    use_exact = method == "exact" or (method == "auto" and red.a.nnz <= AUTO_EXACT_MAX_NNZ)

    bound_kind, status, used = "mip", "optimal", "exact" if use_exact else "heuristic"
    if red.k == 0 or red.a.shape[0] == 0:
        # Nothing left to decide: every choice covers the same weight.
        chosen_free, reduced_bound = np.zeros(0, dtype=np.int64), 0.0
        bound_kind = "simple"
    elif use_exact:
        # A large model gets the heuristic first, so that its answer and bound stand if HiGHS
        # runs out of time; a small one only when HiGHS stops short (rare; it takes a moment).
        heur = _heuristic(red, clock, lp=False) if red.a.nnz > milp.LP_BOUND_MAX_NNZ else None
        limit = clock.remaining()
        if method == "auto":
            limit = AUTO_EXACT_SECONDS if limit is None else min(limit, AUTO_EXACT_SECONDS)
        out = milp.solve(*_model(red), time_limit=limit)
        status = "optimal" if out.optimal else "time_limit"
        reduced_bound = -out.bound
        chosen_free = None if out.x is None else np.flatnonzero(out.x[: red.a.shape[1]] > 0.5)
        if not out.optimal:
            heur = heur or _heuristic(red, milp.Clock(None))
            if chosen_free is None or _value(red, heur[0]) > _value(red, chosen_free):
                chosen_free = heur[0]
            if heur[1] < reduced_bound:
                reduced_bound, bound_kind = heur[1], heur[2]
    else:
        status = "heuristic"
        chosen_free, reduced_bound, bound_kind = _heuristic(red, clock)

    chosen = _complete(red, chosen_free)
    objective = covered_weight(cover, w, _mask(chosen, m))
    constant = objective - float(red.w[_rows_covered(red.a, chosen_free)].sum())
    bound = max(constant + reduced_bound, objective)
    gap = relative_gap(objective, bound)
    if status == "optimal" and gap < 1e-9:
        bound, gap = objective, 0.0
    return Solution(
        model="mclp",
        method=used,
        objective=objective,
        chosen=chosen,
        bound=bound,
        gap=gap,
        seconds=clock.elapsed,
        bound_kind=bound_kind,
        status=status,
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
    ``status == "time_limit"`` and ``bound`` is HiGHS's dual bound), ``"heuristic"`` (greedy +
    swaps, with an LP or Lagrangian bound) or ``"auto"`` (exact when the reduced model has at
    most :data:`AUTO_EXACT_MAX_NNZ` nonzeros, HiGHS first for at most :data:`AUTO_EXACT_SECONDS`,
    then the heuristic if HiGHS has not proven its answer; within ``milp.AUTO_TIME_LIMIT`` s).
    """
    dist = neighbours_within(demand.lat, demand.lng, candidates.lat, candidates.lng, radius_m)
    return solve_mclp_cover(
        dist,
        demand.weight,
        p=p,
        fixed=fixed,
        excluded=excluded,
        method=method,
        time_limit=time_limit,
    )
