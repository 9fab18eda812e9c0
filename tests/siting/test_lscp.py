import numpy as np
import pytest

from siting import DemandPoints, Facilities, solve_lscp
from tests.siting.support import brute_lscp, clustered, mclp_value, north_of, random_case

LAT, LNG = 31.2, 121.45


def _line():
    """Demand at 0, 300, 600, 2000, 2300 m north (weights 5, 5, 5, 8, 8) and one point 10 km
    east that no site reaches; sites at 300, 2150, 0, 1900 m. Within 350 m: c0 reaches
    0/300/600, c1 2000/2300, c2 0/300, c3 2000."""
    lat = [north_of(LAT, m) for m in (0, 300, 600, 2000, 2300)] + [LAT]
    demand = DemandPoints.from_arrays(lat, [LNG] * 5 + [LNG + 0.1], [5, 5, 5, 8, 8, 100])
    sites = Facilities.from_arrays([north_of(LAT, m) for m in (300, 2150, 0, 1900)], [LNG] * 4)
    return demand, sites


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_line_hand_computed(method):
    demand, sites = _line()
    # All coverable demand (31; the far point is not coverable): c0 + c1.
    sol = solve_lscp(demand, sites, radius_m=350, method=method)
    assert sol.objective == 2
    assert sol.chosen.tolist() == [0, 1]
    # Half of 31 = 15.5: c1 alone covers 16.
    assert solve_lscp(demand, sites, radius_m=350, target=0.5, method=method).chosen.tolist() == [1]
    # Fixed c2 counts; c2 + c1 covers 26 of 31 (84%), enough for 0.8 but not for 0.9.
    fx = solve_lscp(demand, sites, radius_m=350, target=0.8, fixed=[2], method=method)
    assert fx.chosen.tolist() == [1, 2]
    assert (
        solve_lscp(demand, sites, radius_m=350, target=0.9, fixed=[2], method=method).objective == 3
    )
    # Without c1, the coverable weight is 23 (c3 reaches 2000 only): c0 + c3.
    ex = solve_lscp(demand, sites, radius_m=350, excluded=[1], method=method)
    assert ex.chosen.tolist() == [0, 3]


def test_bad_target():
    demand, sites = _line()
    for target in (0, 1.2, -0.1):
        with pytest.raises(ValueError, match="target"):
            solve_lscp(demand, sites, radius_m=350, target=target)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("target", [1.0, 0.8, 0.5])
def test_matches_brute_force(seed, target):
    demand, sites, dist = random_case(seed, n=40, m=9)
    fixed, excluded = ([seed % 9], [(seed + 4) % 9]) if seed % 2 else ((), ())
    radius = 300.0
    best = brute_lscp(dist, demand.weight, radius, target, fixed, excluded)
    allowed = [j for j in range(9) if j not in excluded]
    coverable = mclp_value(dist, demand.weight, allowed, radius)
    for method in ("exact", "heuristic"):
        sol = solve_lscp(
            demand, sites, radius_m=radius, target=target, fixed=list(fixed),
            excluded=list(excluded), method=method,
        )  # fmt: skip
        assert sol.objective == len(sol.chosen)
        assert mclp_value(dist, demand.weight, sol.chosen, radius) >= target * coverable - 1e-9
        assert set(fixed) <= set(sol.chosen.tolist())
        assert not set(excluded) & set(sol.chosen.tolist())
        assert sol.bound <= best <= sol.objective
        if method == "exact":
            assert sol.objective == best
            assert sol.gap == 0


@pytest.mark.parametrize("method", ["exact", "heuristic", "auto"])
@pytest.mark.parametrize("fixed", [None, [0]])
def test_a_tiny_weight_is_covered_when_all_must_be(method, fixed):
    """A point of weight 0.001 that only site B reaches, beside 10 million that site A
    reaches: covering every coverable point takes both, however small the weight."""
    demand = DemandPoints.from_arrays([LAT, north_of(LAT, 5000)], [LNG, LNG], [1e7, 0.001])
    sites = Facilities.from_arrays([north_of(LAT, 50), north_of(LAT, 5050)], [LNG, LNG])
    sol = solve_lscp(demand, sites, radius_m=100, fixed=fixed, method=method)
    assert sol.chosen.tolist() == [0, 1]
    assert sol.objective == 2
    assert sol.bound == 2 and sol.gap == 0


@pytest.fixture(scope="module")
def district_lp():
    """10,000 clustered points × 500 candidates, 400 m, and the LP bound of covering them all:
    HiGHS cannot prove the cover within a second here."""
    from scipy.optimize import linprog

    from siting import neighbours_within, reach

    demand, sites = clustered(10_000, 500, seed=1, clusters=20)
    cover = reach(neighbours_within(demand.lat, demand.lng, sites.lat, sites.lng, 400.0))
    rows = cover[np.diff(cover.indptr) > 0]
    lp = linprog(np.ones(500), A_ub=-rows, b_ub=-np.ones(rows.shape[0]), bounds=(0, 1)).fun
    return demand, sites, lp


@pytest.mark.parametrize("method", ["exact", "heuristic", "auto"])
def test_every_method_reports_a_real_lower_bound(method, district_lp, monkeypatch):
    """The bound comes from a relaxation, not from counting: within a tenth of the LP bound,
    even when the LP is not solved (as on large models) and HiGHS runs out of time."""
    from siting import milp

    demand, sites, lp = district_lp
    monkeypatch.setattr(milp, "LP_BOUND_MAX_NNZ", 0)  # as on a large model
    # Three seconds, not one: the Lagrangian bound improves with every step it gets, and on a
    # loaded machine one second left it short of the LP (44 against 57).
    sol = solve_lscp(demand, sites, radius_m=400.0, method=method, time_limit=3.0)
    assert 0.9 * lp <= sol.bound <= sol.objective
