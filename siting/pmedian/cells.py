"""Large instances: the heuristic searches on cells of nearby points.

Beyond :data:`.solve.AGGREGATE_ENTRIES` list entries (a city's half a million points) the
heuristic searches on grid cells of nearby points (:func:`~siting.geometry.cells_at_most`, about
:data:`SEARCH_CELLS`): greedy, swaps and a short Lagrangian run on the cells, and every answer
is priced on the points. The Lagrangian carries each cell's spread (how far its points lie from
its centre) so that its bound holds for the points; it loses where a cell lies near a service
boundary or near its site, so those cells are then split into quarters, nearest first
(:func:`_refine_cells`), their lists reach past their second chosen site, and the Lagrangian
goes on there until the time is up, with per-row (AdaGrad) steps halved every 60 steps. The
final bound sums the open sites' terms over the points themselves
(:meth:`.lagrangian._Lagrangian.on_points`). Swap rounds apply many non-interfering swaps at
once and the greedy fills what is left in one go when time runs out, so large ``p`` stays within
the time limit (8 % of which is kept for the last step, the final bound and pricing).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from .. import milp
from ..geometry import cells_at_most, count_within, split_cells
from .lagrangian import _Lagrangian
from .problem import K_CAP, _Lists, _PhaseOne, _Problem

SEARCH_CELLS = 30_000

SPLIT_CELLS_PER_SITE = 150
SPLIT_CELLS = (90_000, 150_000)
SPLIT_MARGIN = 8.0
"""After the search, cells are split along the service boundaries (:func:`_refine_cells`), the
cells nearest to a boundary or a site (within ``SPLIT_MARGIN`` times their reach) first, up to
150 cells per chosen site within :data:`SPLIT_CELLS`. More cells bound better in the end but
cost more per Lagrangian step: at p = 200 of 20,000 sites, in 60 s side by side, 80,000 cells
left a 1.08 % gap, 90,000 1.06 % and 120,000 1.22 %."""


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
    (:meth:`.lagrangian._Lagrangian.on_points`). A cell served by one site well inside its level
    and far from the others loses nothing, so only cells along the service boundaries and near the
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
