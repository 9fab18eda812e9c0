import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting import DemandPoints, Facilities, solve_mclp
from tests.siting.support import brute_mclp, mclp_value, north_of, random_case

LAT, LNG = 31.2, 121.45


def _line():
    """Demand along a meridian at 0, 300, 600, 2000 and 2300 m; sites at 300, 2150, 0, 1900 m.

    Within 350 m: c0 reaches 0/300/600 (weight 15), c1 reaches 2000/2300 (16),
    c2 reaches 0/300 (10), c3 reaches 2000 (8).
    """
    demand = DemandPoints.from_arrays(
        [north_of(LAT, m) for m in (0, 300, 600, 2000, 2300)], [LNG] * 5, [5, 5, 5, 8, 8]
    )
    sites = Facilities.from_arrays(
        [north_of(LAT, m) for m in (300, 2150, 0, 1900)], [LNG] * 4, ids=["c0", "c1", "c2", "c3"]
    )
    return demand, sites


@pytest.mark.parametrize("method", ["exact", "heuristic"])
@pytest.mark.parametrize(
    ("p", "fixed", "excluded", "objective", "chosen"),
    [
        (1, None, None, 16, [1]),
        (2, None, None, 31, [0, 1]),
        (2, [2], None, 26, [1, 2]),
        (1, None, [1], 15, [0]),
        (2, None, [1], 23, [0, 3]),
        (4, None, None, 31, [0, 1, 2, 3]),
    ],
)
def test_line_hand_computed(method, p, fixed, excluded, objective, chosen):
    demand, sites = _line()
    sol = solve_mclp(
        demand, sites, p=p, radius_m=350, fixed=fixed, excluded=excluded, method=method
    )
    assert sol.objective == objective
    assert sol.chosen.tolist() == chosen
    assert sol.method == method
    assert sol.bound >= objective


def test_fixed_as_mask_and_validation():
    demand, sites = _line()
    sol = solve_mclp(demand, sites, p=2, radius_m=350, fixed=np.array([0, 0, 1, 0], dtype=bool))
    assert sol.chosen.tolist() == [1, 2]
    with pytest.raises(ValueError, match="both fixed and excluded"):
        solve_mclp(demand, sites, p=2, radius_m=350, fixed=[1], excluded=[1])
    with pytest.raises(ValueError, match="exceeds"):
        solve_mclp(demand, sites, p=4, radius_m=350, excluded=[0])
    with pytest.raises(ValueError, match="smaller than"):
        solve_mclp(demand, sites, p=1, radius_m=350, fixed=[0, 1])
    with pytest.raises(ValueError, match="method"):
        solve_mclp(demand, sites, p=1, radius_m=350, method="magic")


def test_p_zero_and_nothing_in_reach():
    demand, sites = _line()
    assert solve_mclp(demand, sites, p=0, radius_m=350).objective == 0
    away = Facilities.from_arrays(sites.lat, sites.lng + 0.05)  # about 4.8 km east
    far = solve_mclp(demand, away, p=2, radius_m=350)
    assert far.objective == 0
    assert far.chosen.size == 2  # still p sites
    assert far.gap == 0


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_matches_brute_force(seed, method):
    demand, sites, dist = random_case(seed, n=40, m=9)
    fixed, excluded = ([seed % 9], [(seed + 4) % 9]) if seed % 2 else ((), ())
    p, radius = 3, 300.0
    best = brute_mclp(dist, demand.weight, p, radius, fixed, excluded)
    sol = solve_mclp(
        demand, sites, p=p, radius_m=radius, fixed=list(fixed), excluded=list(excluded),
        method=method,
    )  # fmt: skip
    value = mclp_value(dist, demand.weight, sol.chosen, radius)
    assert value == sol.objective
    assert len(sol.chosen) == p
    assert set(fixed) <= set(sol.chosen.tolist())
    assert not set(excluded) & set(sol.chosen.tolist())
    if method == "exact":
        assert value == best
        assert sol.gap == 0
        assert sol.status == "optimal"
    else:
        assert value <= best <= sol.bound + 1e-9
        assert value >= sol.bound * (1 - sol.gap) - 1e-9


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000), p=st.integers(1, 4))
def test_exact_optimum_does_not_depend_on_candidate_order(seed, perm_seed, p):
    demand, sites, _ = random_case(seed, n=30, m=8)
    perm = np.random.default_rng(perm_seed).permutation(8)
    a = solve_mclp(demand, sites, p=p, radius_m=250, method="exact")
    b = solve_mclp(demand, sites.subset(perm), p=p, radius_m=250, method="exact")
    assert a.objective == b.objective


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), p=st.integers(1, 5))
def test_one_more_site_never_lowers_the_optimum(seed, p):
    demand, sites, _ = random_case(seed, n=30, m=8)
    a = solve_mclp(demand, sites, p=p, radius_m=250, method="exact")
    b = solve_mclp(demand, sites, p=p + 1, radius_m=250, method="exact")
    assert b.objective >= a.objective


def test_time_limit_still_returns_p_sites_with_a_valid_bound():
    demand, sites, dist = random_case(1, n=3000, m=300, spread=0.03)
    sol = solve_mclp(demand, sites, p=12, radius_m=300, method="exact", time_limit=0.01)
    assert len(sol.chosen) == 12
    assert sol.objective == mclp_value(dist, demand.weight, sol.chosen, 300)
    assert sol.bound >= sol.objective


@pytest.mark.parametrize("seed", range(4))
def test_kernel_step_solves_the_model_restricted_to_its_kernel(seed):
    """The heuristic's last step: the best p sites among the kernel's, by brute force."""
    from siting import mclp, milp, neighbours_within, reach

    demand, sites, dist = random_case(seed, n=60, m=12)
    radius, p = 300.0, 3
    cover = reach(neighbours_within(demand.lat, demand.lng, sites.lat, sites.lng, radius))
    none = np.zeros(12, dtype=bool)
    red = mclp._reduce(cover, demand.weight, p, none, none)
    kernel = np.array(sorted(np.random.default_rng(seed).choice(12, 7, replace=False)))
    chosen = mclp._kernel_solve(red, kernel, milp.Clock(None))
    best = brute_mclp(dist[:, kernel], demand.weight, p, radius)
    assert set(chosen.tolist()) <= set(kernel.tolist())
    assert mclp_value(dist, demand.weight, chosen, radius) == best


@pytest.mark.parametrize("seed", range(4))
def test_lp_bound_by_interior_point_is_the_lp_optimum(seed):
    """The LP relaxation (interior point) agrees with dual simplex and bounds the optimum."""
    from scipy.optimize import linprog

    from siting import mclp, milp, neighbours_within, reach

    demand, sites, dist = random_case(seed, n=80, m=12)
    cover = reach(neighbours_within(demand.lat, demand.lng, sites.lat, sites.lng, 300.0))
    none = np.zeros(12, dtype=bool)
    red = mclp._reduce(cover, demand.weight, 3, none, none)
    c, a, row_lb, row_ub, lb, ub, _integer = mclp._model(red)
    out = milp.solve(c, a, row_lb, row_ub, lb, ub, _integer, relax=True)
    rows = red.a.shape[0]
    simplex = linprog(
        c, A_ub=a[:rows], b_ub=row_ub[:rows], A_eq=a[rows:], b_eq=[red.k], bounds=(0, 1),
        method="highs-ds",
    )  # fmt: skip
    assert out.optimal
    assert out.bound == pytest.approx(simplex.fun, rel=1e-7)
    assert -out.bound >= brute_mclp(dist, demand.weight, 3, 300.0) - 1e-6


@pytest.mark.parametrize("seed", range(5))
def test_merging_rows_by_hash_is_exact(seed):
    """Rows merged by a hash of their columns are exactly those a dictionary of patterns
    merges; a pattern's weights add up, empty rows and rows of weight 0 go."""
    from scipy.sparse import csr_array, random_array

    from siting import mclp

    rng = np.random.default_rng(seed)
    base = random_array((60, 9), density=0.3, format="csr", rng=rng)
    a = csr_array(base[rng.integers(0, 60, 200)])  # many repeats
    a.data[:] = 1.0
    w = rng.integers(0, 4, 200).astype(float)
    merged, merged_w = mclp.merge_identical_rows(a, w)
    dense = a.toarray().astype(bool)
    patterns = {}
    for row, weight in zip(dense, w, strict=True):
        if row.any() and weight > 0:
            patterns[row.tobytes()] = patterns.get(row.tobytes(), 0.0) + weight
    got = {row.tobytes(): x for row, x in zip(merged.toarray().astype(bool), merged_w, strict=True)}
    assert got == patterns
