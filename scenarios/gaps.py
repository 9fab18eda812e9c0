"""The standards gap matrix: for each area and service, how many of its residents live within
the walking threshold of a site offering it?

Measured from where people live (the plan's demand points) on today's sites (or a plan's), with
the nearest site to each area's centre for reference; the table form here is what the page's
exports write, through `fenglin.tabular` like every other export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext

from scenarios.inputs import PlanInputs, demand_points, group_of
from sites.models import Area, ServiceType
from siting.walks import nearest as nearest_walks
from siting.walks import within


@dataclass(frozen=True)
class GapCell:
    service_type: ServiceType
    nearest_m: float | None  # walking metres from the area's centre to the nearest site
    site_name: str
    share: float | None  # of the area's residents of the service's group within the threshold

    @property
    def covered(self) -> bool:
        """Every resident of the group (to the rounding of a shown percentage) within reach."""
        return self.share is not None and self.share >= FULL_SHARE

    @property
    def partial(self) -> bool:
        return self.share is not None and 0 < self.share < FULL_SHARE

    @property
    def heat(self) -> str:
        """The heat-map class of the cell: 0 (no one within reach) to 4 (everyone), or none."""
        if self.share is None:
            return "none"
        if self.covered:
            return "4"
        return str(min(3, int(self.share * 4) + (self.share > 0)))


# A share shown as 100 % counts as covered.
FULL_SHARE = 0.995


@dataclass(frozen=True)
class GapRow:
    area: Area
    cells: list[GapCell]

    @property
    def gaps(self) -> int:
        return sum(not c.covered for c in self.cells)


def gap_matrix(inputs: PlanInputs) -> list[GapRow]:
    """Areas × service types: the share of each area's residents of the service's group who
    live within its walking threshold of a site offering it, and the nearest site to the area's
    centre. Every distance is a walk of the one walking model (``inputs.walks``)."""
    n_areas = len(inputs.areas)
    area_index = inputs.points.area_index
    columns = []
    for service_type in inputs.service_types:
        providers = inputs.providers.get(service_type.pk, [])
        threshold = float(service_type.threshold_m)
        nearest, metres = nearest_walks(inputs.provider_walks(providers, centres=True), 1)
        covered = np.diff(within(inputs.provider_walks(providers), threshold).indptr) > 0
        population = demand_points(inputs, service_type).groups[group_of(service_type)]
        reached = np.bincount(area_index, weights=population * covered, minlength=n_areas)
        total = np.bincount(area_index, weights=population, minlength=n_areas)
        columns.append(
            [
                GapCell(
                    service_type=service_type,
                    nearest_m=float(metres[i, 0]) if nearest[i, 0] >= 0 else None,
                    site_name=providers[int(nearest[i, 0])].name if nearest[i, 0] >= 0 else "",
                    share=float(reached[i] / total[i]) if total[i] > 0 else None,
                )
                for i in range(n_areas)
            ]
        )
    return [
        GapRow(area=area, cells=[column[i] for column in columns])
        for i, area in enumerate(inputs.areas)
    ]


def sort_gap_rows(
    rows: list[GapRow], service_types: Sequence[ServiceType], sort: str
) -> list[GapRow]:
    """Sort by "area" (code), "gaps" or a service code (nearest distance; no site last).

    A leading "-" reverses the order.
    """
    key = sort.lstrip("-")
    reverse = sort.startswith("-")
    codes = [t.code for t in service_types]
    if key == "gaps":
        return sorted(rows, key=lambda r: (r.gaps, r.area.code), reverse=reverse)
    if key in codes:
        i = codes.index(key)
        present = [r for r in rows if r.cells[i].nearest_m is not None]
        missing = [r for r in rows if r.cells[i].nearest_m is None]
        present.sort(key=lambda r: r.cells[i].nearest_m, reverse=reverse)
        return present + missing
    return sorted(rows, key=lambda r: r.area.code, reverse=reverse)


def gap_table(rows: Sequence[GapRow], service_types: Sequence[ServiceType]) -> list[list]:
    """The matrix as a header and rows for an export: per service, covered and the distance."""
    header = [gettext("Area"), gettext("Code"), gettext("Gaps")]
    for t in service_types:
        unconfirmed = "" if t.confirmed else " " + gettext("(unconfirmed)")
        header += [
            f"{t.name} ≤ {t.threshold_m} m{unconfirmed}",
            f"{t.name}: " + gettext("residents within reach (%)"),
            f"{t.name}: " + gettext("nearest (m)"),
        ]
    table = [header]
    for row in rows:
        line = [row.area.name, row.area.code, row.gaps]
        for cell in row.cells:
            line += [
                gettext("yes") if cell.covered else gettext("no"),
                round(cell.share * 100, 1) if cell.share is not None else "",
                round(cell.nearest_m) if cell.nearest_m is not None else "",
            ]
        table.append(line)
    return table
