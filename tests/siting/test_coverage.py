import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_array

from siting import (
    DemandPoints,
    Facilities,
    coverage_gain,
    coverage_loss,
    covered_weight,
    evaluate_coverage,
)
from tests.siting.support import north_of

LAT, LNG = 31.2, 121.45


def _line_case():
    # One facility at the origin, another 5 km north; demand 100, 400 and 900 m north.
    demand = DemandPoints(
        ids=["a", "b", "c"],
        lat=[north_of(LAT, 100), north_of(LAT, 400), north_of(LAT, 900)],
        lng=[LNG] * 3,
        weight=[10, 20, 30],
        groups={"elderly": [1, 0, 5], "children": [0, 0, 0]},
    )
    facilities = Facilities(
        ids=["f0", "f1"], lat=[LAT, north_of(LAT, 5000)], lng=[LNG, LNG], capacity=[60, np.nan]
    )
    return demand, facilities


def test_evaluate_coverage_hand_computed():
    demand, facilities = _line_case()
    # Walking = 1.3 × straight: 130, 520, 1170 m; threshold 600 covers the first two.
    res = evaluate_coverage(demand, facilities, 600, detour=1.3, speed_m_per_min=65)
    assert res.nearest.tolist() == [0, 0, 0]
    np.testing.assert_allclose(res.straight_m, [100, 400, 900], atol=1e-6)
    np.testing.assert_allclose(res.walk_m, [130, 520, 1170], atol=1e-6)
    np.testing.assert_allclose(res.minutes, [2, 8, 18], atol=1e-6)
    assert res.covered.tolist() == [True, True, False]
    assert res.uncovered_weight.tolist() == [0, 0, 30]
    assert res.total_weight == 60
    assert res.covered_weight == 30
    assert res.share_covered == pytest.approx(0.5)
    assert res.group_share == {"elderly": pytest.approx(1 / 6), "children": 0.0}
    # (10×2 + 20×8 + 30×18) / 60 = 12 minutes.
    assert res.mean_minutes == pytest.approx(12.0)
    assert res.group_mean_minutes["elderly"] == pytest.approx((1 * 2 + 5 * 18) / 6)
    assert math.isnan(res.group_mean_minutes["children"])
    assert res.load.tolist() == [30, 0]
    assert res.utilisation[0] == pytest.approx(0.5)
    assert math.isnan(res.utilisation[1])


def test_slower_speed_for_a_group():
    demand, facilities = _line_case()
    res = evaluate_coverage(
        demand,
        facilities,
        600,
        detour=1.3,
        speed_m_per_min=65,
        group_speed_m_per_min={"elderly": 52},
    )
    # Elderly walk at 52 m/min: 130/52 = 2.5 and 1170/52 = 22.5 minutes.
    assert res.group_mean_minutes["elderly"] == pytest.approx((1 * 2.5 + 5 * 22.5) / 6)


def test_covered_iff_walking_distance_at_most_threshold():
    demand, facilities = _line_case()
    walk = evaluate_coverage(demand, facilities, 10_000, detour=1.3).walk_m
    at = evaluate_coverage(demand, facilities, float(walk[1]), detour=1.3)
    assert at.covered.tolist() == [True, True, False]
    below = evaluate_coverage(demand, facilities, float(np.nextafter(walk[1], 0)), detour=1.3)
    assert below.covered.tolist() == [True, False, False]


def test_zero_facilities_and_zero_demand_without_warnings():
    demand, facilities = _line_case()
    none = Facilities(ids=[], lat=[], lng=[])
    empty = DemandPoints(ids=[], lat=[], lng=[], weight=[], groups={"elderly": []})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = evaluate_coverage(demand, none, 600)
        assert res.nearest.tolist() == [-1, -1, -1]
        assert np.isinf(res.walk_m).all()
        assert np.isinf(res.minutes).all()
        assert not res.covered.any()
        assert res.share_covered == 0.0
        assert res.group_share["elderly"] == 0.0
        assert math.isnan(res.mean_minutes)
        assert res.uncovered_weight.tolist() == [10, 20, 30]
        assert res.load.size == 0
        res = evaluate_coverage(empty, facilities, 600)
        assert res.share_covered == 0.0
        assert res.total_weight == 0.0
        assert res.load.tolist() == [0, 0]
        assert math.isnan(res.mean_minutes)
        res = evaluate_coverage(empty, none, 600)
        assert res.nearest.size == 0


def test_load_goes_to_the_nearest_covering_facility():
    demand = DemandPoints.from_arrays([north_of(LAT, 100), north_of(LAT, 700)], [LNG, LNG], [5, 7])
    facilities = Facilities.from_arrays([LAT, north_of(LAT, 1000)], [LNG, LNG], capacity=[10, 0])
    res = evaluate_coverage(demand, facilities, 400, detour=1.0)
    assert res.load.tolist() == [5, 7]
    assert res.utilisation[0] == pytest.approx(0.5)
    assert math.isnan(res.utilisation[1])  # capacity 0 is unknown, not infinitely used


def test_gain_and_loss_hand_computed():
    # Reach: site 0 reaches demand 0,1; site 1 reaches 1,2; site 2 reaches 2.
    cover = csr_array(np.array([[1, 0, 0], [1, 1, 0], [0, 1, 1]], dtype=float))
    w = np.array([3.0, 5.0, 7.0])
    open_mask = np.array([True, False, False])
    assert coverage_gain(cover, w, open_mask).tolist() == [0, 7, 7]
    assert coverage_loss(cover, w, open_mask).tolist() == [8, 0, 0]
    both = np.array([True, True, False])
    assert coverage_loss(cover, w, both).tolist() == [3, 7, 0]
    assert covered_weight(cover, w, both) == 15


def test_reaching_a_zero_weight_point_does_not_lower_the_covered_weight():
    # Summed plainly, these seven weights and the same seven plus a zero differ in the last
    # digit (numpy groups eight or more terms differently).
    weights = [45.865, 1.98, 26.429, 22.967, 3.117, 32.066, 42.632, 0.0]
    demand = DemandPoints.from_arrays([LAT] * 7 + [north_of(LAT, 400)], [LNG] * 8, weights)
    one = Facilities.from_arrays([LAT], [LNG])
    both = Facilities.from_arrays([LAT, north_of(LAT, 400)], [LNG, LNG])
    less = evaluate_coverage(demand, one, 100)
    more = evaluate_coverage(demand, both, 100)
    assert more.covered.sum() == 8 and less.covered.sum() == 7
    assert more.covered_weight >= less.covered_weight
    assert more.covered_weight == math.fsum(weights)


coord = st.tuples(
    st.floats(31.19, 31.2, allow_nan=False), st.floats(121.45, 121.46, allow_nan=False)
)


@st.composite
def scenes(draw):
    pts = draw(st.lists(coord, min_size=1, max_size=15))
    weights = draw(st.lists(st.floats(0, 50), min_size=len(pts), max_size=len(pts)))
    sites = draw(st.lists(coord, min_size=1, max_size=8))
    demand = DemandPoints.from_arrays([p[0] for p in pts], [p[1] for p in pts], weights)
    facilities = Facilities.from_arrays([s[0] for s in sites], [s[1] for s in sites])
    return demand, facilities


@settings(max_examples=60, deadline=None)
@given(scene=scenes(), threshold=st.floats(50, 1500))
def test_adding_a_site_never_lowers_coverage(scene, threshold):
    demand, facilities = scene
    fewer = facilities.subset(np.arange(len(facilities) - 1))
    more = evaluate_coverage(demand, facilities, threshold)
    less = evaluate_coverage(demand, fewer, threshold)
    assert more.covered_weight >= less.covered_weight
    assert (more.covered >= less.covered).all()
    assert (more.walk_m <= less.walk_m).all()


@settings(max_examples=60, deadline=None)
@given(scene=scenes(), threshold=st.floats(50, 1500))
def test_removing_every_site_gives_zero(scene, threshold):
    demand, facilities = scene
    res = evaluate_coverage(demand, facilities.subset([]), threshold)
    assert res.covered_weight == 0
    assert res.share_covered == 0


@settings(max_examples=60, deadline=None)
@given(scene=scenes(), threshold=st.floats(50, 1500), seed=st.integers(0, 1000))
def test_order_of_facilities_does_not_matter(scene, threshold, seed):
    demand, facilities = scene
    perm = np.random.default_rng(seed).permutation(len(facilities))
    a = evaluate_coverage(demand, facilities, threshold)
    b = evaluate_coverage(demand, facilities.subset(perm), threshold)
    np.testing.assert_array_equal(a.covered, b.covered)
    np.testing.assert_allclose(a.walk_m, b.walk_m)
    assert a.share_covered == pytest.approx(b.share_covered)
    assert a.load.sum() == pytest.approx(b.load.sum())
    # The nearest facility is the same one, up to ties in distance.
    same = perm[b.nearest] == a.nearest
    assert np.allclose(a.walk_m[~same], b.walk_m[~same])
