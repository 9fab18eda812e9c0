"""Provision against the standards: capacity within reach against demand, per area.

"A site within reach" says nothing of whether it is big enough: a 40-place day care reached by
3,000 elderly residents is not provision for them. Per area this module gives

* the capacity within reach: the capacity of the sites within the threshold, averaged over
  where the area's residents live (each demand point weighs by its share of the area);
* the capacity allotted to the area when neighbouring areas share a site: the two-step floating
  catchment (2SFCA; Luo and Wang 2003). Each site's capacity is divided by the demand within its
  reach; a point receives the sum of these ratios over the sites it reaches, times its demand.
  The allotments of all areas add up to the capacity of the sites that reach any demand;
* the floor area the per-1,000-resident ratio (千人指标) asks for.

Sites whose capacity is unknown (NaN) count in neither sum; they are counted apart so that the
page can say so. Arrays in, arrays out; no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import csr_array


@dataclass(frozen=True)
class AreaProvision:
    """Per area (position in the area list)."""

    demand: NDArray
    within_reach: NDArray  # capacity within reach, averaged over the area's residents
    allotted: NDArray  # the area's share of that capacity (2SFCA)
    unknown_sites: NDArray  # sites within reach of some of its residents with no capacity figure

    @property
    def shortfall(self) -> NDArray:
        """Demand the allotted capacity does not meet (0 where met)."""
        return np.maximum(self.demand - self.allotted, 0.0)


def provision_by_area(
    reach: csr_array,
    capacity: ArrayLike,
    point_demand: ArrayLike,
    point_area: ArrayLike,
    point_share: ArrayLike,
    n_areas: int,
) -> AreaProvision:
    """Capacity within reach against demand, per area.

    ``reach``: demand points × sites, a stored entry where the walk is within the threshold
    (its value, a distance, is not used). ``capacity``: per site, NaN where unknown.
    ``point_demand``: the demand at each point; ``point_area``: each point's area position;
    ``point_share``: the fraction of its area's residents each point carries (per area, the
    shares add up to 1).
    """
    reach = csr_array(reach)
    cover = csr_array((np.ones(reach.nnz), reach.indices, reach.indptr), shape=reach.shape)
    capacity = np.asarray(capacity, dtype=float)
    demand = np.asarray(point_demand, dtype=float)
    area = np.asarray(point_area, dtype=np.int64)
    share = np.asarray(point_share, dtype=float)
    known = np.isfinite(capacity)
    cap = np.where(known, capacity, 0.0)

    per_point = cover @ cap  # capacity each point reaches
    within_reach = np.bincount(area, weights=share * per_point, minlength=n_areas)

    # 2SFCA: each site's capacity over the demand within its reach, summed per point.
    demand_at_site = cover.T @ demand
    ratio = np.divide(cap, demand_at_site, out=np.zeros_like(cap), where=demand_at_site > 0)
    allotted = np.bincount(area, weights=demand * (cover @ ratio), minlength=n_areas)

    # Per area, the sites without a capacity figure that some of its residents reach.
    points = np.arange(area.size)
    lives = share > 0
    membership = csr_array(
        (np.ones(int(lives.sum())), (area[lives], points[lives])), shape=(n_areas, area.size)
    )
    unknown = (membership @ cover[:, np.flatnonzero(~known)]).toarray() > 0
    unknown_sites = unknown.sum(axis=1).astype(np.int64)

    return AreaProvision(
        demand=np.bincount(area, weights=demand, minlength=n_areas),
        within_reach=within_reach,
        allotted=allotted,
        unknown_sites=unknown_sites,
    )


def site_capacity(
    recorded: float | None, floor_area_m2: float | None, m2_per_place: float | None
) -> float | None:
    """A site's capacity for a service: the recorded one, else its floor area over the
    standard's floor area per place, else unknown (None)."""
    if recorded is not None:
        return float(recorded)
    if floor_area_m2 is not None and m2_per_place:
        return float(floor_area_m2) / float(m2_per_place)
    return None


def per_thousand_requirement(population: ArrayLike, per_thousand: float) -> NDArray:
    """What a per-1,000-resident ratio asks of each area: ratio × population / 1,000."""
    return np.asarray(population, dtype=float) * float(per_thousand) / 1000.0


def below_minimum(floor_area_m2: float | None, minimum_m2: float | None) -> bool:
    """Whether a site's floor area for a service falls short of the standard's minimum (a site
    with no recorded area is not judged)."""
    return floor_area_m2 is not None and minimum_m2 is not None and floor_area_m2 < minimum_m2
