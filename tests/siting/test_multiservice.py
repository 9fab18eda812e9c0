import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting import DemandPoints, Facilities, Service, solve_multi_service
from tests.siting.support import hav, north_of, random_case

LAT, LNG = 31.2, 121.45


def _case(area0=100.0):
    """Demand at 0 m (canteen weight 10) and 2000 m (day-care weight 7); building b0 at 0 m,
    b1 (300 m²) at 2000 m. Canteen needs 150 m², day care 200 m²; both reach 500 m."""
    demand = DemandPoints.from_arrays([LAT, north_of(LAT, 2000)], [LNG, LNG], [0, 0])
    buildings = Facilities.from_arrays([LAT, north_of(LAT, 2000)], [LNG, LNG])
    services = [
        Service("canteen", radius_m=500, floor_area_m2=150, weight=np.array([10.0, 0.0])),
        Service("daycare", radius_m=500, floor_area_m2=200, weight=np.array([0.0, 7.0])),
    ]
    return demand, services, buildings, np.array([area0, 300.0])


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_hand_computed(method):
    demand, services, buildings, area = _case()
    # b0 is too small for the canteen: only the day care at b1 covers anything.
    sol = solve_multi_service(demand, services, buildings, area, method=method)
    assert sol.objective == 7
    assert sol.placed[1].tolist() == [False, True]
    assert sol.covered.tolist() == [0, 7]

    demand, services, buildings, area = _case(area0=200)
    sol = solve_multi_service(demand, services, buildings, area, method=method)
    assert sol.objective == 17
    assert sol.placed[0, 0] and sol.placed[1, 1]
    # One building only: b0 with the canteen (10) beats b1 with the day care (7)...
    one = solve_multi_service(demand, services, buildings, area, max_buildings=1, method=method)
    assert one.objective == 10
    assert one.buildings.tolist() == [0]
    # ...unless the day care counts double (14).
    services[1] = Service(
        "daycare", radius_m=500, floor_area_m2=200, weight=np.array([0.0, 7.0]), priority=2
    )
    one = solve_multi_service(demand, services, buildings, area, max_buildings=1, method=method)
    assert one.objective == 14
    assert one.buildings.tolist() == [1]


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_an_early_choice_that_blocks_a_better_pair_is_undone(method):
    """Buildings X (0 m) and Y (400 m north), 10 m² each; both services need 10 m². Service A
    covers 100 from X and 90 from Y; service B (150 m reach) covers 80, from X only. Placing by
    gain per m² puts A in X first and leaves B nowhere (100); A in Y and B in X give 170."""
    lat = [north_of(LAT, -300), north_of(LAT, 200), LAT]
    demand = DemandPoints.from_arrays(lat, [LNG] * 3, [0, 0, 0])
    buildings = Facilities.from_arrays([LAT, north_of(LAT, 400)], [LNG, LNG])
    services = [
        Service("A", radius_m=500, floor_area_m2=10, weight=np.array([10.0, 90.0, 0.0])),
        Service("B", radius_m=150, floor_area_m2=10, weight=np.array([0.0, 0.0, 80.0])),
    ]
    sol = solve_multi_service(demand, services, buildings, [10.0, 10.0], method=method)
    assert sol.objective == 170
    assert sol.placed.tolist() == [[False, True], [True, False]]


@pytest.mark.parametrize("method", ["exact", "heuristic"])
def test_fixed_placement_keeps_its_area_and_counts_towards_max_sites(method):
    demand, services, buildings, area = _case(area0=200)
    services[0] = Service(
        "canteen", radius_m=500, floor_area_m2=150, weight=np.array([10.0, 0.0]), max_sites=1
    )
    # The canteen already runs in b1: it uses its only site and 150 of b1's 300 m², so the day
    # care (200 m²) no longer fits there and nothing else can be covered.
    sol = solve_multi_service(demand, services, buildings, area, fixed=[(0, 1)], method=method)
    assert sol.placed[0, 1]
    assert not sol.placed[1, 1]
    assert sol.objective == 0
    assert sol.area_used[1] == 150


def test_invalid_fixed_placements():
    demand, services, buildings, area = _case()
    with pytest.raises(ValueError, match="floor area"):
        solve_multi_service(demand, services, buildings, area, fixed=[(0, 1), (1, 1)])
    with pytest.raises(ValueError, match="excluded"):
        solve_multi_service(demand, services, buildings, area, fixed=[(1, 1)], excluded=[1])
    with pytest.raises(ValueError, match="max_buildings"):
        solve_multi_service(
            demand, services, buildings, [400, 400], fixed=[(0, 0), (1, 1)], max_buildings=1
        )


def _brute(demand, services, buildings, area, max_buildings):
    s, b = len(services), len(buildings)
    dist = hav(demand.lat[:, None], demand.lng[:, None], buildings.lat, buildings.lng)
    best = 0.0
    for bits in itertools.product([False, True], repeat=s * b):
        placed = np.array(bits).reshape(s, b)
        need = np.array([sv.floor_area_m2 for sv in services]) @ placed
        if (need > area).any():
            continue
        if max_buildings is not None and placed.any(axis=0).sum() > max_buildings:
            continue
        value = 0.0
        for k, sv in enumerate(services):
            if placed[k].any():
                reached = (dist[:, placed[k]] <= sv.radius_m).any(axis=1)
                value += sv.priority * sv.weight[reached].sum()
        best = max(best, value)
    return best


@st.composite
def problems(draw):
    seed = draw(st.integers(0, 10_000))
    n_b = draw(st.integers(1, 4))
    demand, buildings, _ = random_case(seed, n=25, m=n_b)
    rng = np.random.default_rng(seed)
    services = [
        Service(
            f"s{k}",
            radius_m=float(draw(st.sampled_from([150, 300, 600]))),
            floor_area_m2=float(draw(st.sampled_from([0, 80, 150, 250]))),
            weight=rng.integers(0, 20, 25).astype(float),
            priority=float(draw(st.sampled_from([1, 2]))),
        )
        for k in range(draw(st.integers(1, 3)))
    ]
    area = np.array([float(draw(st.sampled_from([0, 100, 200, 400]))) for _ in range(n_b)])
    max_buildings = draw(st.sampled_from([None, 1, 2]))
    return demand, services, buildings, area, max_buildings


@settings(max_examples=40, deadline=None)
@given(problem=problems())
def test_never_exceeds_floor_area_and_exact_is_optimal(problem):
    demand, services, buildings, area, max_buildings = problem
    exact = solve_multi_service(
        demand, services, buildings, area, max_buildings=max_buildings, method="exact"
    )
    greedy = solve_multi_service(
        demand, services, buildings, area, max_buildings=max_buildings, method="heuristic"
    )
    for sol in (exact, greedy):
        assert (sol.area_used <= area + 1e-9).all()
        if max_buildings is not None:
            assert sol.buildings.size <= max_buildings
        assert sol.bound >= sol.objective - 1e-9
    if len(services) * len(buildings) <= 9:
        best = _brute(demand, services, buildings, area, max_buildings)
        assert exact.objective == pytest.approx(best)
    assert greedy.objective <= exact.objective + 1e-9
    assert greedy.bound >= exact.objective - 1e-9
