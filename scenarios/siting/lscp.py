"""Location set covering (LSCP) and its partial form.

Fewest sites so that the weight within ``radius_m`` of a chosen site reaches ``target`` × the
*coverable* weight (the weight that any allowed candidate, fixed ones included, can reach);
``target = 1.0`` covers all coverable demand. Fixed sites count in the number of sites.

Exact: a MILP (set cover rows, or for ``target < 1`` covered-weight variables and one
knapsack-like row). Heuristic: greedy by newly covered weight until the target is met, then drop
sites that became redundant; bounded by the rounded-up LP relaxation, or, when the LP would be
large, by the fewest sites whose individual coverages could add up to the target.
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
from .mclp import AUTO_EXACT_MAX_NNZ, METHODS, merge_identical_rows

_REL_TOL = 1e-9  # covered-weight comparisons are relative to the coverable weight


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


def _greedy(a: csr_array, w: NDArray, need: float, tol: float) -> NDArray:
    """Add the site covering the most uncovered weight until ``need`` is met; then drop, least
    useful first, every site whose removal keeps the target."""
    r, f = a.shape
    at = csr_array(a.T)
    count = np.zeros(r)
    chosen: list[int] = []
    covered = 0.0
    while covered < need - tol:
        gain = at @ np.where(count == 0, w, 0.0)
        gain[chosen] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            break  # cannot happen when need <= coverable weight
        chosen.append(j)
        count[at.indices[at.indptr[j] : at.indptr[j + 1]]] += 1
        covered += gain[j]
    loss_now = at @ np.where(count == 1, w, 0.0)
    for j in sorted(chosen, key=lambda j: loss_now[j]):
        rows = at.indices[at.indptr[j] : at.indptr[j + 1]]
        loss = float(w[rows][count[rows] == 1].sum())
        if covered - loss >= need - tol:
            count[rows] -= 1
            covered -= loss
            chosen.remove(j)
    return np.array(sorted(chosen), dtype=np.int64)


def _simple_bound(a: csr_array, w: NDArray, need: float, tol: float) -> int:
    """Fewest sites whose individual coverages could add up to ``need`` (a valid lower bound)."""
    single = np.sort(csr_array(a.T) @ w)[::-1]
    reached = np.cumsum(single) >= need - tol
    return int(np.argmax(reached)) + 1 if reached.any() else single.size


def solve_lscp_cover(
    cover: csr_array,
    weight: ArrayLike,
    *,
    target: float | None = 1.0,
    fixed: ArrayLike | None = None,
    excluded: ArrayLike | None = None,
    method: str = "auto",
    time_limit: float | None = None,
) -> Solution:
    """LSCP on a given demand × candidate reach matrix (its sparsity pattern is the reach).
    ``target=None`` means 1.0."""
    target = 1.0 if target is None else target
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    if not 0 < target <= 1:
        raise ValueError(f"target must be in (0, 1], got {target!r}")
    clock = milp.auto_clock(method, time_limit)
    cover = reach(csr_array(cover))
    w = np.asarray(weight, dtype=float).ravel()
    m = cover.shape[1]
    fixed_mask, excluded_mask = fixed_and_excluded(m, fixed, excluded)
    allowed = ~excluded_mask
    coverable = cover_counts(cover, allowed) > 0
    total = float(w[coverable].sum())
    tol = _REL_TOL * max(total, 1.0)
    by_fixed = cover_counts(cover, fixed_mask) > 0
    need = target * total - float(w[by_fixed].sum())

    cols = np.flatnonzero(allowed & ~fixed_mask)
    rows = np.flatnonzero(coverable & ~by_fixed & (w > 0))
    a, ww = merge_identical_rows(csr_array(cover[rows][:, cols]), w[rows])
    full = target == 1.0
    use_exact = method == "exact" or (method == "auto" and a.nnz <= AUTO_EXACT_MAX_NNZ)
    used = "exact" if use_exact else "heuristic"
    bound_kind, status = "mip", "optimal"

    if need <= tol or a.shape[0] == 0:
        chosen_free, free_bound = np.zeros(0, dtype=np.int64), 0.0
        bound_kind = "simple"  # nothing left to decide
    elif use_exact:
        out = milp.solve(*_model(a, ww, need - tol, full), time_limit=clock.remaining())
        free_bound = out.bound
        status = "optimal" if out.optimal else "time_limit"
        chosen_free = None if out.x is None else np.flatnonzero(out.x[: a.shape[1]] > 0.5)
        if not out.optimal:  # stopped by the time limit: keep the greedy answer if smaller
            greedy = _greedy(a, ww, need, tol)
            if chosen_free is None or greedy.size < chosen_free.size:
                chosen_free = greedy
        if not np.isfinite(free_bound):
            free_bound, bound_kind = _simple_bound(a, ww, need, tol), "simple"
    else:
        status = "heuristic"
        chosen_free = _greedy(a, ww, need, tol)
        free_bound, bound_kind = _simple_bound(a, ww, need, tol), "simple"
        if a.nnz <= milp.LP_BOUND_MAX_NNZ:
            out = milp.solve(*_model(a, ww, need - tol, full), relax=True)
            if np.isfinite(out.bound):
                free_bound, bound_kind = max(free_bound, out.bound), "lp"

    chosen = np.sort(np.concatenate([np.flatnonzero(fixed_mask), cols[chosen_free]]))
    objective = float(chosen.size)
    # The objective is a whole number of sites, so a fractional bound rounds up.
    bound = min(float(fixed_mask.sum() + math.ceil(free_bound - 1e-6)), objective)
    gap = relative_gap(objective, bound)
    return Solution(
        model="lscp",
        method=used,
        objective=objective,
        chosen=chosen,
        bound=bound,
        gap=gap,
        seconds=clock.elapsed,
        bound_kind=bound_kind,
        status=status,
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
    demand coverable. ``Solution.objective`` is the number of chosen sites.
    """
    dist = neighbours_within(demand.lat, demand.lng, candidates.lat, candidates.lng, radius_m)
    return solve_lscp_cover(
        dist,
        demand.weight,
        target=target,
        fixed=fixed,
        excluded=excluded,
        method=method,
        time_limit=time_limit,
    )
