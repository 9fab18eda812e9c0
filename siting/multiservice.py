"""Several services sharing buildings (the "life box" problem).

Each service ``s`` has demand weights over the demand points, a walking reach (``radius_m``,
straight-line metres), a floor-area need and optionally a maximum number of sites and a priority.
Each candidate building has a floor area. We choose which services go into which buildings so
that the services placed in a building fit into its floor area, optionally opening at most
``max_buildings`` buildings, maximising ``sum_s priority_s × (weight of s covered)``.

Exact: a MILP with a 0/1 variable per feasible (service, building) pair, a building-open variable
when the number of buildings is limited, and covered-weight variables per service over demand
rows merged by identical reach (as in MCLP). Heuristic (documented greedy): repeatedly place the
(service, building) pair with the best marginal priority-weighted covered weight *per m²* among
those that still fit (area left, the service's site limit, the building limit), until nothing
adds coverage; a service needing no floor area ranks by its gain alone, ahead of the others.
Then each placement in turn is dropped, forbidden and the plan refilled greedily, keeping any
refill that covers more, until a pass finds none (drop-and-refill; see :func:`_improve`). Its
bound is the LP relaxation or, when that is large, the total coverable weight.

Fixed placements (a service already operating in a building) are always kept, consume floor
area, count towards the service's site limit and open their building.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import coo_array, csr_array

from . import milp
from .coverage import cover_counts, reach
from .data import DemandPoints, Facilities, as_mask, relative_gap
from .geometry import neighbours_within
from .mclp import AUTO_EXACT_MAX_NNZ, METHODS, merge_identical_rows


@dataclass(frozen=True)
class Service:
    """A service to place. ``weight`` defaults to the demand points' own weight."""

    name: str
    radius_m: float
    floor_area_m2: float
    weight: NDArray | None = None
    max_sites: int | None = None
    priority: float = 1.0
    # The demand × building reach measured elsewhere (e.g. walks on the street network within
    # the threshold, siting.walks); its pattern replaces the straight-line ``radius_m``.
    cover: csr_array | None = None


@dataclass(frozen=True)
class MultiServiceSolution:
    """``placed[s, b]`` is True when service ``s`` goes into building ``b``.

    ``objective = sum_s priority_s * covered[s]``; ``bound``/``gap``/``bound_kind``/``status``
    mean what they mean on :class:`~siting.data.Solution`.
    """

    placed: NDArray
    covered: NDArray
    objective: float
    area_used: NDArray
    buildings: NDArray
    bound: float
    gap: float
    method: str
    status: str
    bound_kind: str
    seconds: float


@dataclass
class _Setup:
    s: int
    b: int
    covers: list[csr_array]  # per service: demand × building 0/1 reach
    weights: list[NDArray]
    area: NDArray  # per service
    cap: NDArray  # per building
    limit: NDArray  # per service, max sites (large when unlimited)
    priority: NDArray
    fixed: NDArray  # S × B bool
    allowed: NDArray  # S × B bool: may be placed (fits alone, building not excluded) or fixed


def _setup(demand, services, buildings, floor_area, fixed, excluded, suitable=None) -> _Setup:
    s_count, b_count = len(services), len(buildings)
    cap = np.asarray(floor_area, dtype=float).ravel()
    if cap.size != b_count:
        raise ValueError(f"floor_area has {cap.size} values, expected {b_count}")
    if (cap < 0).any() or not np.isfinite(cap).all():
        raise ValueError("floor_area must be finite and non-negative")
    area = np.array([float(sv.floor_area_m2) for sv in services])
    if (area < 0).any():
        raise ValueError("a service's floor area must be non-negative")
    limit = np.array(
        [b_count if sv.max_sites is None else int(sv.max_sites) for sv in services], dtype=np.int64
    )
    fixed_pairs = np.zeros((s_count, b_count), dtype=bool)
    for si, bi in fixed:
        fixed_pairs[int(si), int(bi)] = True
    excluded_mask = as_mask(excluded, b_count, "excluded")
    if (fixed_pairs & excluded_mask[None, :]).any():
        raise ValueError("a building with a fixed placement cannot be excluded")
    used = area @ fixed_pairs
    if (used > cap + 1e-9).any():
        bad = int(np.flatnonzero(used > cap + 1e-9)[0])
        raise ValueError(f"fixed placements exceed the floor area of building {bad}")
    if (fixed_pairs.sum(axis=1) > limit).any():
        raise ValueError("a service has more fixed placements than its max_sites")
    weights, covers = [], []
    for sv in services:
        w = demand.weight if sv.weight is None else np.asarray(sv.weight, dtype=float).ravel()
        if w.size != len(demand):
            raise ValueError(f"service {sv.name!r}: weight has {w.size} values")
        weights.append(w)
        if sv.cover is not None:
            if sv.cover.shape != (len(demand), b_count):
                raise ValueError(f"service {sv.name!r}: cover has shape {sv.cover.shape}")
            covers.append(reach(sv.cover))
        else:
            covers.append(
                reach(
                    neighbours_within(
                        demand.lat, demand.lng, buildings.lat, buildings.lng, sv.radius_m
                    )
                )
            )
    allowed = ~excluded_mask[None, :] & (area[:, None] <= cap[None, :] + 1e-9)
    if suitable is not None:
        suitable = np.asarray(suitable, dtype=bool)
        if suitable.shape != (s_count, b_count):
            raise ValueError(f"allowed has shape {suitable.shape}, expected {(s_count, b_count)}")
        allowed &= suitable
    allowed |= fixed_pairs
    priority = np.array([float(sv.priority) for sv in services])
    return _Setup(
        s_count, b_count, covers, weights, area, cap, limit, priority, fixed_pairs, allowed
    )


def _covered(st: _Setup, placed: NDArray) -> NDArray:
    return np.array(
        [float(st.weights[s][cover_counts(st.covers[s], placed[s]) > 0].sum()) for s in range(st.s)]
    )


def _reduced_rows(st: _Setup):
    """Per service: merged rows over its allowed non-fixed buildings, excluding fixed-covered."""
    out = []
    for s in range(st.s):
        cols = np.flatnonzero(st.allowed[s] & ~st.fixed[s])
        by_fixed = cover_counts(st.covers[s], st.fixed[s]) > 0
        rows = np.flatnonzero(~by_fixed & (st.weights[s] > 0))
        a, w = merge_identical_rows(csr_array(st.covers[s][rows][:, cols]), st.weights[s][rows])
        out.append((cols, a, w))
    return out


def _model(st: _Setup, red, max_buildings: int | None):
    """Variables: x (free pairs, service-major), o (buildings; only with a building limit), z."""
    pair_s = np.concatenate([np.full(c_.size, s) for s, (c_, _, _) in enumerate(red)])
    pair_b = np.concatenate([c_ for c_, _, _ in red])
    n_x = pair_s.size
    n_o = st.b if max_buildings is not None else 0
    z_sizes = [a.shape[0] for _, a, _ in red]
    n_z = int(sum(z_sizes))
    nvar = n_x + n_o + n_z
    c = np.concatenate(
        [np.zeros(n_x + n_o), *[-st.priority[s] * w for s, (_, _, w) in enumerate(red)]]
    )
    rows, cols_, vals, lo, hi = [], [], [], [], []
    r = 0
    x_start = np.cumsum([0, *[c_.size for c_, _, _ in red]])
    z_start = n_x + n_o + np.cumsum([0, *z_sizes])
    for s, (_, a, _) in enumerate(red):
        # z_{s,i} - sum_b a_ib x_{s,b} <= 0
        coo = a.tocoo()
        nr = a.shape[0]
        rows += [r + np.arange(nr), r + coo.row]
        cols_ += [z_start[s] + np.arange(nr), x_start[s] + coo.col]
        vals += [np.ones(nr), -np.ones(coo.nnz)]
        lo.append(np.full(nr, -np.inf))
        hi.append(np.zeros(nr))
        r += nr
    # Per service site limit: sum_b x_{s,b} <= limit_s - fixed_s.
    rows.append(r + pair_s)
    cols_.append(np.arange(n_x))
    vals.append(np.ones(n_x))
    lo.append(np.full(st.s, -np.inf))
    hi.append((st.limit - st.fixed.sum(axis=1)).astype(float))
    r += st.s
    # Floor area: sum_s area_s x_{s,b} <= cap_b - fixed area (times o_b when buildings count).
    free_cap = st.cap - st.area @ st.fixed
    rows.append(r + pair_b)
    cols_.append(np.arange(n_x))
    vals.append(st.area[pair_s])
    if n_o:
        rows.append(r + np.arange(st.b))
        cols_.append(n_x + np.arange(st.b))
        vals.append(-free_cap)
        hi.append(np.zeros(st.b))
    else:
        hi.append(free_cap)
    lo.append(np.full(st.b, -np.inf))
    r += st.b
    lb = np.zeros(nvar)
    if n_o:
        # x_{s,b} <= o_b (needed for services without floor area), and the building count.
        rows += [r + np.arange(n_x), r + np.arange(n_x)]
        cols_ += [np.arange(n_x), n_x + pair_b]
        vals += [np.ones(n_x), -np.ones(n_x)]
        lo.append(np.full(n_x, -np.inf))
        hi.append(np.zeros(n_x))
        r += n_x
        rows.append(np.full(st.b, r))
        cols_.append(n_x + np.arange(st.b))
        vals.append(np.ones(st.b))
        lo.append([-np.inf])
        hi.append([float(max_buildings)])
        r += 1
        lb[n_x : n_x + n_o] = st.fixed.any(axis=0)
    a = csr_array(
        coo_array(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols_))), shape=(r, nvar)
        )
    )
    integer = np.concatenate([np.ones(n_x + n_o), np.zeros(n_z)])
    return (c, a, np.concatenate(lo), np.concatenate(hi), lb, np.ones(nvar), integer), (
        pair_s,
        pair_b,
    )


def _value(st: _Setup, placed: NDArray) -> float:
    return float(st.priority @ _covered(st, placed))


def _improve(st: _Setup, placed: NDArray, max_buildings: int | None, clock) -> NDArray:
    """Drop one placement, forbid it, refill greedily; keep the result when it covers more.

    The greedy fills buildings in order of gain per m² and cannot undo an early choice that
    blocks a better pair of later ones (service A in the only building service B can use, when A
    had a near-equal alternative); this revisits each placement in turn until a full pass over
    them finds no improvement or the time is up.
    """
    best = _value(st, placed)
    tol = 1e-9 * max(1.0, abs(best))
    improved = True
    while improved and not clock.expired():
        improved = False
        for s, b in zip(*np.nonzero(placed & ~st.fixed), strict=True):
            start = placed.copy()
            start[s, b] = False
            forbidden = np.zeros_like(placed)
            forbidden[s, b] = True
            other = _greedy(st, max_buildings, start=start, forbidden=forbidden)
            value = _value(st, other)
            if value > best + tol:
                placed, best, improved = other, value, True
                break
            if clock.expired():
                break
    return placed


def _greedy(
    st: _Setup,
    max_buildings: int | None,
    start: NDArray | None = None,
    forbidden: NDArray | None = None,
) -> NDArray:
    placed = st.fixed.copy() if start is None else start.copy()
    allowed = st.allowed if forbidden is None else st.allowed & ~forbidden
    left = st.cap - st.area @ placed
    counts = [cover_counts(st.covers[s], placed[s]) for s in range(st.s)]
    covt = [csr_array(st.covers[s].T) for s in range(st.s)]

    def gain(s: int) -> NDArray:
        return st.priority[s] * (covt[s] @ np.where(counts[s] == 0, st.weights[s], 0.0))

    gains = np.array([gain(s) for s in range(st.s)]).reshape(st.s, st.b)
    while True:
        opened = placed.any(axis=0)
        fits = allowed & ~placed & (st.area[:, None] <= left[None, :] + 1e-9)
        fits &= (placed.sum(axis=1) < st.limit)[:, None]
        if max_buildings is not None and opened.sum() >= max_buildings:
            fits &= opened[None, :]
        score = np.where(fits & (gains > 0), gains, -np.inf)
        zero_area = st.area == 0
        if np.isfinite(score[zero_area]).any():
            # A service needing no floor area costs nothing: place those first, by gain.
            key = np.where(zero_area[:, None], score, -np.inf)
        else:
            key = score / np.where(zero_area, 1.0, st.area)[:, None]
        best = np.unravel_index(int(np.argmax(key)), key.shape)
        if not np.isfinite(key[best]):
            return placed
        s, b = int(best[0]), int(best[1])
        placed[s, b] = True
        left[b] -= st.area[s]
        counts[s] = counts[s] + st.covers[s][:, [b]].toarray().ravel()
        gains[s] = gain(s)


def solve_multi_service(
    demand: DemandPoints,
    services: Sequence[Service],
    buildings: Facilities,
    floor_area: ArrayLike,
    *,
    max_buildings: int | None = None,
    fixed: Iterable[tuple[int, int]] = (),
    excluded: ArrayLike | None = None,
    allowed: ArrayLike | None = None,
    method: str = "auto",
    time_limit: float | None = None,
) -> MultiServiceSolution:
    """Place services into buildings maximising priority-weighted covered demand.

    ``fixed`` lists ``(service position, building position)`` pairs already in operation;
    ``excluded`` buildings (mask or positions) get nothing; ``allowed`` (services × buildings,
    bool) says where each service may be placed at all (suitable premises). ``max_buildings``
    limits the number of buildings with at least one service (fixed ones included). ``method``
    as for MCLP.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    clock = milp.auto_clock(method, time_limit)
    st = _setup(demand, services, buildings, floor_area, list(fixed), excluded, allowed)
    if max_buildings is not None and st.fixed.any(axis=0).sum() > max_buildings:
        raise ValueError("fixed placements already open more than max_buildings buildings")
    red = _reduced_rows(st)
    nnz = sum(a.nnz for _, a, _ in red)
    use_exact = method == "exact" or (method == "auto" and nnz <= AUTO_EXACT_MAX_NNZ)
    used, status, bound_kind = ("exact" if use_exact else "heuristic"), "optimal", "mip"
    constant = float(st.priority @ _covered(st, st.fixed))
    model, (pair_s, pair_b) = _model(st, red, max_buildings)
    simple = constant + sum(float(st.priority[s] * w.sum()) for s, (_, _, w) in enumerate(red))
    placed = None
    if pair_s.size == 0:  # nothing can be placed beyond the fixed placements
        placed, bound, bound_kind = st.fixed.copy(), constant, "simple"
    elif use_exact:
        # A moment is kept for the greedy answer, should HiGHS stop short.
        out = milp.solve(*model, time_limit=clock.for_search().remaining())
        bound = constant - out.bound
        status = "optimal" if out.optimal else "time_limit"
        if out.x is not None:
            placed = st.fixed.copy()
            take = out.x[: pair_s.size] > 0.5
            placed[pair_s[take], pair_b[take]] = True
        if not out.optimal:  # stopped by the time limit: keep the greedy answer if better
            # The greedy fills every building at once, and its improvement stops with the clock.
            greedy = _improve(st, _greedy(st, max_buildings), max_buildings, clock)
            if placed is None or st.priority @ _covered(st, greedy) > st.priority @ _covered(
                st, placed
            ):
                placed = greedy
        if not np.isfinite(bound):
            bound, bound_kind = simple, "simple"
    else:
        placed = _improve(st, _greedy(st, max_buildings), max_buildings, clock)
        status = "heuristic"
        bound, bound_kind = simple, "simple"
        if model[1].nnz <= milp.LP_BOUND_MAX_NNZ:
            out = milp.solve(*model, relax=True, time_limit=clock.remaining())
            if np.isfinite(out.bound):
                bound, bound_kind = min(bound, constant - out.bound), "lp"
    covered = _covered(st, placed)
    objective = float(st.priority @ covered)
    bound = max(bound, objective)
    gap = relative_gap(objective, bound)
    if status == "optimal" and gap < 1e-9:
        bound, gap = objective, 0.0
    return MultiServiceSolution(
        placed=placed,
        covered=covered,
        objective=objective,
        area_used=st.area @ placed,
        buildings=np.flatnonzero(placed.any(axis=0)),
        bound=bound,
        gap=gap,
        method=used,
        status=status,
        bound_kind=bound_kind,
        seconds=clock.elapsed,
    )
