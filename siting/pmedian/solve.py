"""The entry point: trivial cases and the 1-median directly, else the exact method or the
heuristic (on cells when the points are too many)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import milp
from ..data import DemandPoints, Facilities, Solution, fixed_and_excluded, relative_gap
from ..geometry import cells_fit, haversine_m, nearest_k
from .cells import _on_cells
from .exact import _exact, _trivial
from .heuristic import _heuristic
from .problem import _Lists, _merge_points, _Problem, initial_k

AGGREGATE_ENTRIES = 4_000_000
"""The heuristic searches on cells of nearby points (at most :data:`.cells.SEARCH_CELLS`) when
points × list length exceeds this: a city's half a million points would make every greedy or
swap step scan tens of millions of list entries. Answers are still priced on the points, and the
bound accounts for how far each point lies from its cell's centre."""

PRICING_RESERVE = 0.92
"""On cells, the search stops at this share of the time limit, leaving the rest for the
step under way, the final bound on the points and pricing the answer there."""

METHODS = ("auto", "exact", "heuristic")
_CHUNK = 2048


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
    ``method``: ``"exact"`` (Lagrangian reduction, then enumeration or HiGHS on nearest-k lists; see
    :mod:`.exact` and :mod:`.model`), ``"heuristic"`` (greedy + fast swaps, Lagrangian-guided; LP or
    Lagrangian bound) or ``"auto"`` (the exact method, or the heuristic on cells when the points are
    too many for it, :data:`AGGREGATE_ENTRIES`; within ``milp.AUTO_TIME_LIMIT`` s unless
    ``time_limit`` is given). Every method keeps ``time_limit``; HiGHS runs within the memory budget
    (``milp.MEMORY_BUDGET_MB``), and when the restricted model would not fit, phase one's answer and
    bound stand (``method == "heuristic"``). ``k`` overrides the initial list length;
    ``reduce=False`` skips the Lagrangian phase of the exact method and hands the whole restricted
    model to HiGHS (slower; for checking). The objective is always recomputed from the chosen sites
    with exact distances.
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
