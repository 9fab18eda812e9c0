"""Why each site: the demand it adds, and what closing it would cost ("subtraction").

Both work on walking distance against a walking threshold, like
:func:`~siting.coverage.evaluate_coverage`: the walks given (``walks``, a demand × facility
matrix of :mod:`siting.walks`, e.g. measured on the street network), else the straight line ×
``detour``; pass ``detour=1.0`` to work with the straight-line ``radius_m`` of a siting instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import csr_array

from .constants import DETOUR_FACTOR
from .data import DemandPoints, Facilities
from .walks import columns, nearest, straight_line_walks, within


@dataclass(frozen=True)
class SiteExplanation:
    """One open site's contribution.

    ``served``: demand positions whose nearest open site it is and that are covered by it.
    ``sole``: the subset no other open site covers — what is lost if it alone closes;
    ``marginal_weight`` is their weight (per group in ``marginal_by_group``).
    ``picked_up_by``: for each point of ``served``, the open site (position) that would serve it
    instead — the next nearest covering one — or -1 when none would (the point is in ``sole``).
    """

    position: int
    id: Any
    served: NDArray
    served_weight: float
    sole: NDArray
    marginal_weight: float
    marginal_by_group: dict[str, float]
    picked_up_by: NDArray


def _explain(
    demand: DemandPoints,
    facilities: Facilities,
    open_sites: ArrayLike,
    threshold_m: float,
    detour: float,
    walks: csr_array | None,
) -> list[SiteExplanation]:
    open_sites = np.unique(np.asarray(open_sites, dtype=np.int64).ravel())
    if open_sites.size == 0:
        return []
    if walks is None:
        walks = straight_line_walks(
            demand.lat, demand.lng, facilities.lat, facilities.lng, threshold_m, detour=detour
        )
    # Same comparison as evaluate_coverage: walking distance against the threshold.
    idx, _ = nearest(within(columns(walks, open_sites), threshold_m), 2)
    covered1 = idx[:, 0] >= 0
    covered2 = idx[:, 1] >= 0
    first = np.where(covered1, open_sites[np.maximum(idx[:, 0], 0)], -1)
    second = np.where(covered2, open_sites[np.maximum(idx[:, 1], 0)], -1)
    # Group demand by serving site once (sorted), instead of scanning all demand per site.
    order = np.argsort(first, kind="stable")
    lo = np.searchsorted(first[order], open_sites, side="left")
    hi = np.searchsorted(first[order], open_sites, side="right")
    out = []
    for j, a, b in zip(open_sites, lo, hi, strict=True):
        served = order[a:b]
        picked = second[served]
        sole = served[picked < 0]
        out.append(
            SiteExplanation(
                position=int(j),
                id=facilities.ids[j],
                served=served,
                served_weight=float(demand.weight[served].sum()),
                sole=sole,
                marginal_weight=float(demand.weight[sole].sum()),
                marginal_by_group={g: float(v[sole].sum()) for g, v in demand.groups.items()},
                picked_up_by=picked,
            )
        )
    return out


def explain_solution(
    demand: DemandPoints,
    facilities: Facilities,
    chosen: ArrayLike,
    *,
    threshold_m: float,
    detour: float = DETOUR_FACTOR,
    walks: csr_array | None = None,
) -> list[SiteExplanation]:
    """For each chosen site, the demand it serves and the demand only it covers.

    ``marginal_weight`` is the coverage lost if that site alone were removed from the solution.
    Sorted by ``marginal_weight``, largest first (then by position).
    """
    items = _explain(demand, facilities, chosen, threshold_m, detour, walks)
    return sorted(items, key=lambda e: (-e.marginal_weight, e.position))


def closure_impact(
    demand: DemandPoints,
    facilities: Facilities,
    open_sites: ArrayLike,
    *,
    threshold_m: float,
    detour: float = DETOUR_FACTOR,
    walks: csr_array | None = None,
) -> list[SiteExplanation]:
    """The "subtraction" ranking of operating sites: coverage lost if each one closed alone,
    and which other open site picks up each of its demand points (``picked_up_by``).

    Sorted by loss, *smallest first* — the sites that could close at least cost lead — ties by
    position.
    """
    items = _explain(demand, facilities, open_sites, threshold_m, detour, walks)
    return sorted(items, key=lambda e: (e.marginal_weight, e.position))
