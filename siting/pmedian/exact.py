"""The exact method: phase one's reduction tests, then enumeration or HiGHS.

The heuristic first (phase one, :mod:`.heuristic`). Its Lagrangian also runs Beasley's reduction
tests: a site whose forced opening (or closing) lifts the bound above the incumbent is closed
(or opened) in every better solution. If the bound meets the incumbent (relative gap < 1e-10) it
is optimal; else the sites left undecided are solved exactly — by enumerating the combinations
when there are at most :data:`ENUMERATE_MAX`, otherwise by HiGHS on the restricted model over
the remaining sites, leaving out the assignments the Lagrangian proves too costly.
``reduce=False`` skips all this and hands the whole restricted model to HiGHS (kept to check and
benchmark against). HiGHS gets the time left and runs within the memory budget
(:mod:`siting.milp`); a restricted model that would not fit leaves phase one's answer and bound.
``auto`` runs the exact method whenever the points are not so many that the heuristic searches
on cells, so it spends its time closing the gap.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.typing import NDArray

from .. import milp
from ..geometry import haversine_m
from .heuristic import _local_search, _phase_one
from .model import _mip_loop
from .problem import _Lists, _Problem, initial_k

ENUMERATE_MAX = 100_000
"""After the reduction tests, at most this many combinations of the free sites are enumerated
(exact and quick); beyond, HiGHS solves what is left."""

ENUMERATE_WORK = 200_000_000
"""... and only when combinations × points × free sites to choose stay below this (a few
seconds of numpy): 100,000 combinations over 50,000 points would take minutes."""


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
