"""Capacity within reach against demand, on a case small enough to compute by hand."""

import numpy as np
import pytest
from scipy.sparse import csr_array

from siting.provision import (
    below_minimum,
    per_thousand_requirement,
    provision_by_area,
    site_capacity,
)


def reach_of(rows: list[list[float | None]]) -> csr_array:
    """Points × sites walks, None where out of reach (a walk of 0 m is in reach)."""
    pairs = [(i, j, m) for i, row in enumerate(rows) for j, m in enumerate(row) if m is not None]
    r, c, d = zip(*pairs, strict=True)
    return csr_array((d, (r, c)), shape=(len(rows), len(rows[0])))


def test_capacity_within_reach_and_its_share_per_area():
    """Area 0 is one point (demand 60); area 1 two points (30 and 60 demand, shares ¼ and ¾).
    Site 0 (100 places) reaches all three points, site 1 (50 places) only point 2, at 0 m.

    Within reach: area 0 → 100; area 1 → ¼·100 + ¾·150 = 137.5.
    2SFCA: site 0 has 100 / (60 + 30 + 60) = ⅔ place per unit of demand, site 1 50 / 60 = ⅚.
    Area 0 gets 60·⅔ = 40; area 1 gets 30·⅔ + 60·(⅔ + ⅚) = 20 + 90 = 110; 40 + 110 = 150.
    """
    reach = reach_of([[120.0, None], [250.0, None], [80.0, 0.0]])
    result = provision_by_area(
        reach,
        capacity=[100, 50],
        point_demand=[60, 30, 60],
        point_area=[0, 1, 1],
        point_share=[1.0, 0.25, 0.75],
        n_areas=2,
    )
    assert result.demand == pytest.approx([60, 90])
    assert result.within_reach == pytest.approx([100, 137.5])
    assert result.allotted == pytest.approx([40, 110])
    assert result.allotted.sum() == pytest.approx(150)
    assert result.shortfall == pytest.approx([20, 0])
    assert result.unknown_sites.tolist() == [0, 0]


def test_sites_without_a_capacity_figure_are_counted_apart():
    reach = reach_of([[100.0, 100.0], [None, 50.0]])
    result = provision_by_area(
        reach,
        capacity=[40, np.nan],
        point_demand=[10, 10],
        point_area=[0, 1],
        point_share=[1.0, 1.0],
        n_areas=3,
    )
    assert result.within_reach == pytest.approx([40, 0, 0])
    assert result.allotted == pytest.approx([40, 0, 0])
    assert result.unknown_sites.tolist() == [1, 1, 0]
    assert result.shortfall == pytest.approx([0, 10, 0])


def test_capacity_is_recorded_else_floor_area_over_the_area_per_place():
    assert site_capacity(35, 400, 10) == 35
    assert site_capacity(None, 400, 10) == 40
    assert site_capacity(None, 400, None) is None
    assert site_capacity(None, None, 10) is None


def test_per_thousand_requirement_and_the_minimum():
    assert per_thousand_requirement([12_000, 0], 50).tolist() == [600, 0]
    assert below_minimum(180, 350)
    assert not below_minimum(350, 350)
    assert not below_minimum(None, 350) and not below_minimum(180, None)
