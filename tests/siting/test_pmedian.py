from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting import DemandPoints, Facilities, milp, solve_pmedian
from siting.geometry import cells_at_most
from siting.pmedian import cells as cells_mod
from siting.pmedian import exact, heuristic, lagrangian, problem, solve
from tests.siting.support import brute_pmedian, north_of, pmedian_value, random_case

LAT, LNG = 31.2, 121.45


def _line():
    """Demand along a meridian: weight 1 at 0 m, 1 at 100 m, 10 at 1000 m; sites at 0, 100, 1000.

    p = 1: site 1000 costs 1×1000 + 1×900 = 1900 (site 0: 100 + 10000; site 100: 100 + 9000).
    p = 2: {0 or 100, 1000} cost 100 (one of the two near points walks 100 m).
    """
    demand = DemandPoints.from_arrays(
        [north_of(LAT, m) for m in (0, 100, 1000)], [LNG] * 3, [1, 1, 10]
    )
    sites = Facilities.from_arrays([north_of(LAT, m) for m in (0, 100, 1000)], [LNG] * 3)
    return demand, sites


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_line_hand_computed(method):
    demand, sites = _line()
    one = solve_pmedian(demand, sites, p=1, method=method)
    assert one.chosen.tolist() == [2]
    assert one.objective == pytest.approx(1900, abs=1e-6)
    two = solve_pmedian(demand, sites, p=2, method=method)
    assert two.objective == pytest.approx(100, abs=1e-6)
    assert 2 in two.chosen
    # Site 1000 m excluded: {0, 100} leaves 10 × 900 m.
    ex = solve_pmedian(demand, sites, p=2, excluded=[2], method=method)
    assert ex.chosen.tolist() == [0, 1]
    assert ex.objective == pytest.approx(9000, abs=1e-6)
    # Site 0 fixed with p = 1: nothing left to choose.
    fx = solve_pmedian(demand, sites, p=1, fixed=[0], method=method)
    assert fx.chosen.tolist() == [0]
    assert fx.objective == pytest.approx(100 + 10_000, abs=1e-6)
    assert fx.gap == 0


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_matches_brute_force(seed, method):
    demand, sites, dist = random_case(seed, n=60, m=10)
    fixed, excluded = ([seed % 10], [(seed + 3) % 10]) if seed % 2 else ((), ())
    p = 2 + seed % 3
    best = brute_pmedian(dist, demand.weight, p, fixed, excluded)
    sol = solve_pmedian(
        demand, sites, p=p, fixed=list(fixed), excluded=list(excluded), method=method
    )
    value = pmedian_value(dist, demand.weight, sol.chosen)
    assert value == pytest.approx(sol.objective, rel=1e-12)
    assert len(sol.chosen) == p
    assert set(fixed) <= set(sol.chosen.tolist())
    assert not set(excluded) & set(sol.chosen.tolist())
    if method == "exact":
        assert value == pytest.approx(best, rel=1e-9)
        assert sol.gap == 0
    else:
        assert value >= best * (1 - 1e-12)
        assert sol.bound <= best * (1 + 1e-9)
        assert sol.bound >= value * (1 - sol.gap) * (1 - 1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_short_lists_grow_until_provably_optimal(seed):
    # k = 1 makes the first restricted model lean on fallback distances; the lists must grow.
    demand, sites, dist = random_case(seed, n=60, m=10)
    best = brute_pmedian(dist, demand.weight, 3)
    for reduce in (True, False):
        sol = solve_pmedian(demand, sites, p=3, method="exact", k=1, reduce=reduce)
        assert sol.objective == pytest.approx(best, rel=1e-9)
        assert sol.status == "optimal"


@pytest.mark.parametrize(("seed", "p"), [(2, 3), (28, 3), (29, 5), (39, 3)])
@pytest.mark.parametrize("enumerate_max", [0, 100_000])
def test_what_the_reduction_leaves_is_solved_exactly(monkeypatch, seed, p, enumerate_max):
    # A few Lagrangian steps leave the bound short of the optimum and some sites unsettled;
    # enumerate_max = 0 sends them to HiGHS, with the assignments the Lagrangian rules out
    # left out of the model; otherwise the remaining combinations are enumerated.
    monkeypatch.setattr(exact, "ENUMERATE_MAX", enumerate_max)
    monkeypatch.setattr(exact, "_phase_one", partial(heuristic._phase_one, iters=(4, 4)))
    demand, sites, dist = random_case(seed, n=80, m=14, spread=0.02)
    sol = solve_pmedian(demand, sites, p=p, method="exact")
    assert sol.bound_kind == ("mip" if enumerate_max == 0 else "enumeration")
    assert sol.objective == pytest.approx(brute_pmedian(dist, demand.weight, p), rel=1e-9)
    assert sol.gap == 0


def test_coincident_demand_points_are_merged_not_lost():
    demand = DemandPoints.from_arrays([LAT, LAT, north_of(LAT, 500)], [LNG] * 3, [2, 3, 1])
    sites = Facilities.from_arrays([north_of(LAT, 500), LAT], [LNG, LNG])
    sol = solve_pmedian(demand, sites, p=1)
    assert sol.chosen.tolist() == [1]
    assert sol.objective == pytest.approx(500, abs=1e-6)


def test_p_zero_with_demand_is_an_error():
    demand, sites = _line()
    with pytest.raises(ValueError, match="p >= 1"):
        solve_pmedian(demand, sites, p=0)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000), p=st.integers(1, 4))
def test_exact_optimum_does_not_depend_on_candidate_order(seed, perm_seed, p):
    demand, sites, _ = random_case(seed, n=40, m=8)
    perm = np.random.default_rng(perm_seed).permutation(8)
    a = solve_pmedian(demand, sites, p=p, method="exact")
    b = solve_pmedian(demand, sites.subset(perm), p=p, method="exact")
    assert a.objective == pytest.approx(b.objective, rel=1e-9)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), p=st.integers(1, 4))
def test_one_more_site_never_raises_the_optimum(seed, p):
    demand, sites, _ = random_case(seed, n=40, m=8)
    a = solve_pmedian(demand, sites, p=p, method="exact")
    b = solve_pmedian(demand, sites, p=p + 1, method="exact")
    assert b.objective <= a.objective * (1 + 1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_on_cells_the_bound_still_holds_for_the_points(monkeypatch, seed):
    """Large instances search on cells of nearby points; the answer is priced on the points and
    the bound must stay below the points' true optimum however coarse the cells are."""
    demand, sites, dist = random_case(seed, n=80, m=10, spread=0.02)
    fixed = [seed % 10] if seed % 2 else []
    p = 2 + seed % 3
    best = brute_pmedian(dist, demand.weight, p, fixed)
    monkeypatch.setattr(solve, "AGGREGATE_ENTRIES", 0)
    monkeypatch.setattr(cells_mod, "SEARCH_CELLS", 5 + 5 * seed)
    sol = solve_pmedian(demand, sites, p=p, fixed=fixed, method="heuristic")
    assert sol.objective == pytest.approx(pmedian_value(dist, demand.weight, sol.chosen))
    assert len(sol.chosen) == p and set(fixed) <= set(sol.chosen.tolist())
    assert sol.objective >= best * (1 - 1e-12)
    assert sol.bound <= best * (1 + 1e-12)
    assert sol.bound > 0  # the cells' terms do not throw the bound away


def test_greedy_out_of_time_still_opens_p_sites():
    demand, sites, _ = random_case(3, n=60, m=10)
    prob = problem._Problem(
        demand.lat, demand.lng, demand.weight, sites.lat, sites.lng, np.zeros(10, bool), 4
    )
    lists = problem._Lists.build(prob, np.full(prob.n, 5))
    loc = heuristic._Local(prob, lists)
    loc.greedy(milp.Clock(0.0))
    assert loc.open.sum() == 4


def test_swaps_reach_what_single_swaps_reach_on_many_sites():
    """Rounds apply many non-interfering swaps at once; the result must still be a local optimum
    (no single improving swap left) and no worse than the greedy start."""
    demand, sites, _ = random_case(11, n=400, m=60, spread=0.03)
    prob = problem._Problem(
        demand.lat, demand.lng, demand.weight, sites.lat, sites.lng, np.zeros(60, bool), 15
    )
    lists = problem._Lists.build(prob, np.full(prob.n, 60))  # full lists: profits exact
    loc = heuristic._Local(prob, lists)
    loc.greedy(milp.Clock(None))
    start = loc.value()
    loc.swap(milp.Clock(None))
    assert loc.open.sum() == 15
    assert loc.value() < start
    loc._refresh()
    assert loc._improving_swaps(np.flatnonzero(loc.open)) == []


@pytest.mark.parametrize("cells", [False, True])
def test_site_sums_match_summing_each_entry(cells):
    """The Lagrangian's per-site sums (in place, by runs) equal summing the terms entry by
    entry; sites without entries get zero."""
    rng = np.random.default_rng(5)
    n, m, e = 50, 12, 400
    site = np.sort(rng.integers(0, m - 2, e))  # the last two sites have no entries
    row = rng.integers(0, n, e)
    ce, u = rng.random(e) * 900, rng.random(n) * 900
    two_wr = rng.random(e) * 300 if cells else None
    floor = -two_wr * rng.random(e) if cells else None
    starts = np.searchsorted(site, np.arange(m + 1))
    rho = lagrangian._site_sums(ce, u, row, starts, two_wr, floor)
    x = ce - u[row]
    if cells:
        terms = np.maximum(np.minimum(0, x - two_wr), np.minimum(0, x) + floor)
    else:
        terms = np.minimum(0, x)
    np.testing.assert_allclose(rho, np.bincount(site, weights=terms, minlength=m), rtol=1e-12)
    assert (rho[-2:] == 0).all() and (rho[:-2] < 0).all()


@pytest.mark.parametrize("seed", range(4))
def test_bound_on_points_is_the_points_own_lagrangian(monkeypatch, seed):
    """At the cells' multipliers, the bound summed over the points equals the points' own
    Lagrangian (with the multipliers the cell terms were derived for) when every site fits the
    budget: at least the cells' bound, at most the optimum. With no budget it is the cells'."""
    demand, sites, dist = random_case(seed, n=80, m=10, spread=0.02)
    p, w = 3, demand.weight
    cells = cells_at_most(demand.lat, demand.lng, w, 12)
    prob = problem._Problem(
        cells.lat, cells.lng, cells.weight, sites.lat, sites.lng, np.zeros(10, bool), p,
        cells=cells, points=(demand.lat, demand.lng, w),
    )  # fmt: skip
    lag = lagrangian._Lagrangian(prob, problem._Lists.build(prob, np.full(prob.n, 10)))
    closed, opened, clock = np.zeros(10, bool), np.zeros(10, bool), milp.Clock(None)
    start = np.arange(p)
    _, dist_start = prob.nearest_open(start)
    cells_bound, _, u, _ = lag.run(start, cells.weight * dist_start[:, 0], closed, opened, clock)
    u_points = w * (u / cells.weight)[cells.index] + w * cells.radius
    rho = np.minimum(w[:, None] * dist - u_points[:, None], 0).sum(axis=0)
    own = u_points.sum() + np.sort(rho)[:p].sum()
    best = brute_pmedian(dist, w, p)
    assert lag.on_points(u, opened, closed) == pytest.approx(own, rel=1e-9)
    assert cells_bound <= own * (1 + 1e-9) and own <= best * (1 + 1e-9)
    monkeypatch.setattr(lagrangian, "POINT_PAIRS", 0)
    assert lag.on_points(u, opened, closed) == pytest.approx(cells_bound, rel=1e-9)
