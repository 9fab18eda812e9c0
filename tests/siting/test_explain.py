import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from siting import (
    DemandPoints,
    Facilities,
    closure_impact,
    coverage_loss,
    explain_solution,
    neighbours_within,
    reach,
)
from tests.siting.support import north_of, random_case

LAT, LNG = 31.2, 121.45


def _line():
    """Sites at 0, 480 and 3000 m north; demand at 0, 200, 450, 700 and 3100 m (weights 1, 2, 4,
    8, 16; elderly 0, 1, 0, 1, 1). Straight-line reach 300 m: a -> s0; b -> s0 (200 m) or s1
    (280 m); c -> s1; d -> s1 (220 m); e -> s2."""
    demand = DemandPoints(
        ids=list("abcde"),
        lat=[north_of(LAT, m) for m in (0, 200, 450, 700, 3100)],
        lng=[LNG] * 5,
        weight=[1, 2, 4, 8, 16],
        groups={"elderly": [0, 1, 0, 1, 1]},
    )
    sites = Facilities(
        ids=["s0", "s1", "s2"], lat=[north_of(LAT, m) for m in (0, 480, 3000)], lng=[LNG] * 3
    )
    return demand, sites


def test_explain_hand_computed():
    demand, sites = _line()
    # Threshold 390 m walking with detour 1.3 is 300 m straight.
    items = explain_solution(demand, sites, [0, 1, 2], threshold_m=390, detour=1.3)
    by_site = {e.id: e for e in items}
    # s0 serves a (0 m) and b (200 m, nearer than s1 at 280 m); b can walk to s1 instead.
    assert by_site["s0"].served.tolist() == [0, 1]
    assert by_site["s0"].picked_up_by.tolist() == [-1, 1]
    assert by_site["s0"].sole.tolist() == [0]
    assert by_site["s0"].marginal_weight == 1
    assert by_site["s1"].served.tolist() == [2, 3]
    assert by_site["s1"].marginal_weight == 12
    assert by_site["s1"].marginal_by_group == {"elderly": 1}
    assert by_site["s2"].marginal_weight == 16
    assert by_site["s2"].served_weight == 16
    # Largest contribution first.
    assert [e.id for e in items] == ["s2", "s1", "s0"]


def test_closure_ranking_least_loss_first():
    demand, sites = _line()
    items = closure_impact(demand, sites, [0, 1, 2], threshold_m=300, detour=1.0)
    assert [(e.id, e.marginal_weight) for e in items] == [("s0", 1), ("s1", 12), ("s2", 16)]


def test_single_and_no_open_site():
    demand, sites = _line()
    (only,) = closure_impact(demand, sites, [1], threshold_m=300, detour=1.0)
    assert only.served.tolist() == [1, 2, 3]
    assert only.picked_up_by.tolist() == [-1, -1, -1]
    assert only.marginal_weight == 14
    assert closure_impact(demand, sites, [], threshold_m=300, detour=1.0) == []


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), radius=st.floats(100, 600), k=st.integers(1, 6))
def test_marginal_weight_is_the_coverage_lost_when_the_site_alone_closes(seed, radius, k):
    demand, sites, _ = random_case(seed, n=30, m=6)
    open_sites = np.arange(k)
    cover = reach(neighbours_within(demand.lat, demand.lng, sites.lat, sites.lng, radius))
    mask = np.zeros(6, dtype=bool)
    mask[open_sites] = True
    loss = coverage_loss(cover, demand.weight, mask)
    for e in explain_solution(demand, sites, open_sites, threshold_m=radius, detour=1.0):
        assert np.isclose(e.marginal_weight, loss[e.position])
        # Every served point is picked up by another open site or is lost.
        assert set(e.picked_up_by.tolist()) <= set(open_sites.tolist()) - {e.position} | {-1}
