"""The optimiser keeps the time and the memory it is given, spends the time it is given, and
never claims more than it proved.

Wall times here are the product's promise (a solve ends within its limit + 10 %, building the
model included), not benchmarks: figures are in bench/. Tests that need tens of seconds are
marked slow (``pytest -m slow tests/siting``); a small case of each behaviour runs by default.
"""

import time

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint
from scipy.optimize import milp as scipy_milp
from scipy.sparse import random_array

from siting import (
    mclp,
    milp,
    neighbours_within,
    reach,
    solve_lscp,
    solve_mclp,
    solve_pmedian,
)
from tests.siting.support import clustered

# The product promises the limit + 10 %. On a shared 2-core machine another process may hold a
# core for a while at any moment; half a second on top keeps the test about the promise rather
# than about the machine's load.
MARGIN_S = 0.5


def within_limit(seconds: float, limit: float) -> bool:
    return seconds <= 1.1 * limit + MARGIN_S


def solve(model: str, demand, sites, **kwargs):
    if model == "mclp":
        return solve_mclp(demand, sites, p=20, radius_m=400.0, **kwargs)
    if model == "pmedian":
        return solve_pmedian(demand, sites, p=20, **kwargs)
    return solve_lscp(demand, sites, radius_m=400.0, **kwargs)


@pytest.fixture(scope="module")
def district():
    """10,000 clustered points × 500 candidates: every method overran a 2 s limit here (MCLP
    exact by 13 s, LSCP exact at 90 % by 2.4 s, p-median heuristic by 1.9 s)."""
    return clustered(10_000, 500, seed=1, clusters=20)


@pytest.mark.parametrize(
    ("model", "method", "extra"),
    [
        ("mclp", "exact", {}),
        ("mclp", "auto", {}),
        ("lscp", "exact", {"target": 0.9}),
        ("pmedian", "heuristic", {}),
    ],
)
def test_a_short_time_limit_is_kept(district, model, method, extra):
    demand, sites = district
    t0 = time.perf_counter()
    sol = solve(model, demand, sites, method=method, time_limit=2.0, **extra)
    wall = time.perf_counter() - t0
    assert within_limit(wall, 2.0), f"{model} {method} took {wall:.2f} s for 2 s"
    if method == "auto":  # and it uses what it is given while a gap is left
        assert sol.gap == 0 or wall >= 0.8 * 2.0
    assert sol.seconds <= wall
    if model != "lscp":
        assert len(sol.chosen) == 20
    assert sol.bound <= sol.objective if model != "mclp" else sol.bound >= sol.objective


def test_highs_is_stopped_at_its_deadline(district):
    """HiGHS does not look at the clock everywhere (its presolve and root LP can run on long
    past their time): the solve ends at the deadline with what HiGHS reported by then."""
    demand, sites = district
    cover = reach(neighbours_within(demand.lat, demand.lng, sites.lat, sites.lng, 400.0))
    none = np.zeros(len(sites), dtype=bool)
    model = mclp._model(mclp._reduce(cover, demand.weight, 20, none, none))
    t0 = time.perf_counter()
    out = milp.solve(*model, time_limit=1.0)
    assert within_limit(time.perf_counter() - t0, 1.0)
    assert out.status == "time_limit"
    assert not out.optimal


def test_a_model_above_the_memory_budget_falls_back_to_the_heuristic(district, monkeypatch):
    demand, sites = district
    monkeypatch.setattr(milp, "MEMORY_BUDGET_MB", 1.0)
    sol = solve_mclp(demand, sites, p=20, radius_m=400.0, method="exact", time_limit=5.0)
    assert sol.method == "heuristic"
    assert sol.status == "heuristic"
    assert len(sol.chosen) == 20
    assert sol.bound >= sol.objective > 0


def test_highs_stopped_by_the_memory_cap_ends_its_solve_only(monkeypatch):
    """Should the estimate be wrong, the child's address space is capped: HiGHS's allocations
    fail and that solve ends, neither the machine's memory nor the caller."""
    rows, cols = 60_000, 4_000
    a = random_array((rows, cols), density=0.01, format="csr", rng=np.random.default_rng(0))
    a.data[:] = 1.0  # a set cover with 2.4 million nonzeros: HiGHS needs hundreds of MB
    monkeypatch.setattr(milp, "estimate_mb", lambda *_: 0.0)
    t0 = time.perf_counter()
    out = milp.solve(
        np.ones(cols), a, np.ones(rows), np.full(rows, np.inf), np.zeros(cols), np.ones(cols),
        np.ones(cols), time_limit=60.0, memory_mb=1.0,
    )  # fmt: skip
    assert out.status == "memory"
    assert not out.optimal
    assert time.perf_counter() - t0 < 30  # ended by the cap, not by the clock


def test_auto_spends_its_time_closing_the_gap():
    """The heuristic leaves a 0.12 % gap here that HiGHS alone needs about 5 s to close; "auto"
    used to stop there. Given 30 s it goes on until the answer is proven."""
    demand, sites = clustered(20_000, 120, seed=1, clusters=40, span=0.05)
    heuristic = solve_mclp(demand, sites, p=10, radius_m=700.0, method="heuristic")
    assert heuristic.gap > 1e-4  # the case is what it claims to be
    sol = solve_mclp(demand, sites, p=10, radius_m=700.0, method="auto", time_limit=30.0)
    assert sol.gap == 0
    assert sol.status == "optimal"
    assert sol.objective >= heuristic.objective
    assert sol.bound == sol.objective
    assert 0 <= sol.seconds_to_best <= sol.seconds_to_proof <= sol.seconds


def _highs_alone(demand, sites, p: float, radius: float, time_limit: float):
    """The MCLP optimum by scipy's HiGHS alone (no warm start, no reduction by the bound)."""
    cover = reach(neighbours_within(demand.lat, demand.lng, sites.lat, sites.lng, radius))
    none = np.zeros(len(sites), dtype=bool)
    c, a, row_lb, row_ub, lb, ub, integer = mclp._model(
        mclp._reduce(cover, demand.weight, p, none, none)
    )
    res = scipy_milp(
        c,
        integrality=integer,
        bounds=Bounds(lb, ub),
        constraints=[LinearConstraint(a, row_lb, row_ub)],
        options={"time_limit": time_limit, "mip_rel_gap": 0.0},
    )
    return res.status == 0, -res.fun


@pytest.mark.slow
def test_auto_reaches_the_optimum_highs_proves_in_under_30_s():
    demand, sites = clustered(10_000, 500, seed=1, clusters=100, span=0.05)
    t0 = time.perf_counter()
    proven, optimum = _highs_alone(demand, sites, 40, 300.0, time_limit=120.0)
    if not proven:
        pytest.skip(f"HiGHS did not prove the reference in {time.perf_counter() - t0:.0f} s here")
    sol = solve_mclp(demand, sites, p=40, radius_m=300.0, method="auto", time_limit=60.0)
    assert sol.objective == optimum
    assert sol.gap == 0
    assert within_limit(sol.seconds, 60.0)


@pytest.fixture(scope="module")
def city():
    """50,000 points × 2,000 candidates: MCLP exact took 16 s with a 10 s limit, LSCP exact 16 s."""
    return clustered(50_000, 2_000, seed=1, clusters=100)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["exact", "auto", "heuristic"])
@pytest.mark.parametrize("model", ["mclp", "pmedian", "lscp"])
def test_every_method_keeps_its_limit_at_city_scale(city, model, method):
    demand, sites = city
    t0 = time.perf_counter()
    sol = solve(model, demand, sites, method=method, time_limit=10.0)
    wall = time.perf_counter() - t0
    assert within_limit(wall, 10.0), f"{model} {method} took {wall:.2f} s for 10 s"
    assert np.isfinite(sol.bound)
    if method == "auto":  # and it uses what it is given while a gap is left
        assert sol.gap == 0 or wall >= 0.8 * 10.0
