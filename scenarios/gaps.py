"""The standards gap matrix: for each area and service, is a site within the walking threshold?

Measured from each area's centre on today's sites (or a plan's); the table form here is what
the page's exports write, through `fenglin.tabular` like every other export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext

from scenarios.inputs import PlanInputs, provider_facilities
from sites.models import Area, ServiceType
from siting import DemandPoints, evaluate_coverage


@dataclass(frozen=True)
class GapCell:
    service_type: ServiceType
    nearest_m: float | None  # walking metres from the area's centre to the nearest site
    site_name: str
    covered: bool


@dataclass(frozen=True)
class GapRow:
    area: Area
    cells: list[GapCell]

    @property
    def gaps(self) -> int:
        return sum(not c.covered for c in self.cells)


def gap_matrix(inputs: PlanInputs) -> list[GapRow]:
    """Areas × service types: is a site offering the service within its walking threshold?"""
    clat, clng = inputs.centroids
    centres = DemandPoints.from_arrays(clat, clng)
    columns = []
    for service_type in inputs.service_types:
        providers = inputs.providers.get(service_type.pk, [])
        if providers:
            result = evaluate_coverage(
                centres,
                provider_facilities(providers),
                float(service_type.threshold_m),
                detour=inputs.params.detour,
            )
        columns.append(
            [
                GapCell(
                    service_type=service_type,
                    nearest_m=float(result.walk_m[i]) if providers else None,
                    site_name=providers[int(result.nearest[i])].name if providers else "",
                    covered=bool(result.covered[i]) if providers else False,
                )
                for i in range(len(inputs.areas))
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
            f"{t.name}: " + gettext("nearest (m)"),
        ]
    table = [header]
    for row in rows:
        line = [row.area.name, row.area.code, row.gaps]
        for cell in row.cells:
            line += [
                gettext("yes") if cell.covered else gettext("no"),
                round(cell.nearest_m) if cell.nearest_m is not None else "",
            ]
        table.append(line)
    return table
