"""Provision against the standards, per area and service: capacity within reach against demand,
the per-1,000-resident requirement against the floor area provided, and the sites whose floor
area is below the standard's minimum (under-provided, not full provision).

Reads only; the arithmetic is `siting.provision`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scenarios.inputs import PlanInputs, Provider, demand_points, group_of
from sites.models import Area, ServiceType, Site
from siting.provision import (
    below_minimum,
    per_thousand_requirement,
    provision_by_area,
    site_capacity,
)
from siting.walks import within
from surveys.demand import DemandUnit


@dataclass(frozen=True)
class ProviderRow:
    site_id: int
    name: str
    area: str
    floor_area: float | None
    capacity: float | None
    capacity_from: str  # "recorded", "floor_area" (floor area / m² per place) or "" (unknown)
    below_minimum: bool


@dataclass(frozen=True)
class AreaRow:
    area: Area
    demand: float | None  # None: nothing measured it
    within_reach: float
    below_minimum_within_reach: float  # of which in premises below the minimum
    allotted: float
    shortfall: float | None
    unknown_sites: int
    required: float | None  # what the per-1,000 ratio asks (m² or places)
    provided: float  # the floor area (or places) of the sites in the area

    @property
    def met(self) -> bool | None:
        return None if self.shortfall is None else self.shortfall <= 0.5


@dataclass(frozen=True)
class ServiceProvision:
    service_type: ServiceType
    unit: str  # DemandUnit of demand and capacity
    ratio_unit: str  # DemandUnit of the per-1,000 requirement ("" without a ratio)
    rows: list[AreaRow]
    providers: list[ProviderRow]
    demand_source: str
    illustrative: bool

    @property
    def below_minimum(self) -> list[ProviderRow]:
        return [p for p in self.providers if p.below_minimum]

    @property
    def unit_label(self) -> str:
        return DemandUnit(self.unit).label

    @property
    def short_areas(self) -> int:
        return sum(1 for row in self.rows if row.met is False)

    def minimum_entry(self):
        return self.service_type.source_for("min_floor_area_m2")


def provision(inputs: PlanInputs) -> list[ServiceProvision]:
    """Provision of every service of ``inputs`` that has a walking threshold."""
    provider_ids = {p.site_id for ps in inputs.providers.values() for p in ps}
    site_area = dict(Site.objects.filter(pk__in=provider_ids).values_list("pk", "area_id"))
    return [
        service_provision(inputs, service_type, site_area)
        for service_type in inputs.service_types
        if service_type.threshold_m
    ]


def service_provision(
    inputs: PlanInputs, service_type: ServiceType, site_area: dict[int, int | None]
) -> ServiceProvision:
    demand_rows = inputs.demand_rows(service_type)
    unit = demand_rows[0].unit if demand_rows else DemandUnit.PEOPLE
    providers = inputs.providers.get(service_type.pk, [])
    rows = _providers(service_type, providers, unit, site_area, inputs.areas)
    capacity = np.array([np.nan if r.capacity is None else r.capacity for r in rows])
    meets = np.array([not r.below_minimum for r in rows], dtype=bool)

    points = inputs.points
    demand = demand_points(inputs, service_type).weight
    share = points.group_share[group_of(service_type)]
    reach = within(inputs.provider_walks(providers), float(service_type.threshold_m))
    n = len(inputs.areas)
    everyone = provision_by_area(reach, capacity, demand, points.area_index, share, n)
    standard = provision_by_area(
        reach, np.where(meets, capacity, np.nan), demand, points.area_index, share, n
    )

    required, ratio_unit = _requirement(service_type, inputs.populations["all"])
    position = {a.pk: i for i, a in enumerate(inputs.areas)}
    provided = np.zeros(n)
    for row in rows:
        amount = row.floor_area if ratio_unit == DemandUnit.M2 else row.capacity
        where = position.get(site_area.get(row.site_id))
        if where is not None and amount is not None:
            provided[where] += amount

    area_rows = []
    for i, (area, demand_row) in enumerate(zip(inputs.areas, demand_rows, strict=True)):
        measured = demand_row.measured
        area_rows.append(
            AreaRow(
                area=area,
                demand=measured,
                within_reach=float(everyone.within_reach[i]),
                below_minimum_within_reach=float(
                    everyone.within_reach[i] - standard.within_reach[i]
                ),
                allotted=float(standard.allotted[i]),
                shortfall=None if measured is None else float(standard.shortfall[i]),
                unknown_sites=int(everyone.unknown_sites[i]),
                required=None if required is None else float(required[i]),
                provided=float(provided[i]),
            )
        )
    return ServiceProvision(
        service_type=service_type,
        unit=unit,
        ratio_unit=ratio_unit,
        rows=area_rows,
        providers=rows,
        demand_source=demand_rows[0].source if demand_rows else "",
        illustrative=any(r.illustrative for r in demand_rows),
    )


def _providers(
    service_type: ServiceType,
    providers: Sequence[Provider],
    unit: str,
    site_area: dict[int, int | None],
    areas: Sequence[Area],
) -> list[ProviderRow]:
    """Each provider's capacity in the demand's unit (floor area where demand is in m²)."""
    names = {a.pk: a.name for a in areas}
    minimum = service_type.min_floor_area_m2
    per_place = service_type.m2_per_place
    rows = []
    for p in providers:
        if unit == DemandUnit.M2:
            capacity, source = p.floor_area, "floor_area" if p.floor_area is not None else ""
        else:
            capacity = site_capacity(p.capacity, p.floor_area, per_place and float(per_place))
            source = "recorded" if p.capacity is not None else ("per_place" if capacity else "")
        rows.append(
            ProviderRow(
                site_id=p.site_id,
                name=p.name,
                area=names.get(site_area.get(p.site_id), ""),
                floor_area=p.floor_area,
                capacity=capacity,
                capacity_from=source,
                below_minimum=below_minimum(p.floor_area, minimum and float(minimum)),
            )
        )
    return rows


def _requirement(service_type: ServiceType, population: np.ndarray):
    """(what the per-1,000 ratio asks of each area, its unit): floor area first."""
    if service_type.per_thousand_m2 is not None:
        return per_thousand_requirement(population, service_type.per_thousand_m2), DemandUnit.M2
    if service_type.per_thousand_places is not None:
        ratio = service_type.per_thousand_places
        return per_thousand_requirement(population, ratio), DemandUnit.PLACES
    return None, ""
