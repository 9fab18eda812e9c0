import pytest

from scenarios.siting import DemandPoints, Facilities, solve_lscp
from tests.siting.support import brute_lscp, mclp_value, north_of, random_case

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
