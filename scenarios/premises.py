"""Suitable premises: which sites the optimiser may offer a service to, and why the others not.

A site is offered a service only when its type is one the standard allows, it is on the ground
floor and has outdoor space where the service needs them, and its free floor area (its floor
area less what the services already there take: their recorded area, else their standard's
minimum) meets the service's minimum. A planner's decision (PremisesOverride) wins over the
screen either way. Sites already offering the service are never screened: they are the plan.

Reasons are kept as small dicts (a code and its figures) so that a run's summary stores them
and its page says them in the reader's language (templates/scenarios/includes/
screened_premises.html).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scenarios.inputs import placements
from scenarios.models import PremisesOverride, Scenario
from sites.models import ServiceType, Site


@dataclass(frozen=True)
class Verdict:
    """The screen's answer for one site and one service."""

    site: Site
    free_m2: float | None
    reasons: tuple[dict, ...]
    override: PremisesOverride | None = None

    @property
    def offered(self) -> bool:
        return self.override.allowed if self.override is not None else not self.reasons

    def as_dict(self, service_type: ServiceType) -> dict:
        """The verdict as the run's summary keeps it."""
        return {
            "site_id": self.site.pk,
            "name": self.site.name,
            "service_id": service_type.pk,
            "service": service_type.name,
            "free_m2": None if self.free_m2 is None else round(self.free_m2, 1),
            "reasons": list(self.reasons),
            "override": None
            if self.override is None
            else {"allowed": self.override.allowed, "reason": self.override.reason},
        }


@dataclass(frozen=True)
class Screening:
    offered: list[Site]
    verdicts: list[Verdict]  # every screened site, offered or not, in pool order

    @property
    def screened_out(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.offered]

    @property
    def overridden(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.override is not None]


def reasons_against(site: Site, service_type: ServiceType, free_m2: float | None) -> list[dict]:
    """Why the standards do not let ``site`` host ``service_type`` (empty: suitable)."""
    reasons = []
    if not service_type.allows_premises(site.premises_type):
        reasons.append({"code": "type", "premises": site.premises_type})
    if service_type.needs_ground_floor and not site.ground_floor:
        reasons.append({"code": "ground_floor"})
    if service_type.needs_outdoor_space and not site.outdoor_space:
        reasons.append({"code": "outdoor_space"})
    minimum = service_type.min_floor_area_m2
    if minimum is not None:
        if free_m2 is None:
            reasons.append({"code": "no_area", "minimum": float(minimum)})
        elif free_m2 + 1e-9 < float(minimum):
            reasons.append({"code": "area", "free": round(free_m2, 1), "minimum": float(minimum)})
    return reasons


def free_floor_areas(
    scenario: Scenario,
    pool: Sequence[Site],
    *,
    besides: ServiceType | None = None,
    taken: dict[int, dict[int, float]] | None = None,
) -> dict[int, float | None]:
    """Per site: its floor area less what the services there take in ``scenario`` (other than
    ``besides``); None where no floor area is recorded. ``taken``: the scenario's placements
    (scenarios.inputs.placements), when already read."""
    if taken is None:
        taken = placements(scenario, pool)
    free = {}
    for site in pool:
        if site.floor_area_m2 is None:
            free[site.pk] = None
            continue
        here = taken.get(site.pk, {})
        used = sum(
            area for type_id, area in here.items() if besides is None or type_id != besides.pk
        )
        free[site.pk] = float(site.floor_area_m2) - used
    return free


def overrides_for(service_types: Sequence[ServiceType]) -> dict[tuple[int, int], PremisesOverride]:
    """The planners' decisions for some services, by (site id, service type id): one query."""
    rows = PremisesOverride.objects.filter(service_type__in=list(service_types))
    return {(o.site_id, o.service_type_id): o for o in rows}


def screen(
    pool: Sequence[Site],
    service_type: ServiceType,
    scenario: Scenario,
    *,
    free: dict[int, float | None] | None = None,
    overrides: dict[tuple[int, int], PremisesOverride] | None = None,
) -> Screening:
    """Screen the candidate premises ``pool`` for one service (see the module docstring)."""
    if free is None:
        free = free_floor_areas(scenario, pool, besides=service_type)
    if overrides is None:
        overrides = overrides_for([service_type])
    verdicts = [
        Verdict(
            site=site,
            free_m2=free.get(site.pk),
            reasons=tuple(reasons_against(site, service_type, free.get(site.pk))),
            override=overrides.get((site.pk, service_type.pk)),
        )
        for site in pool
    ]
    return Screening(offered=[v.site for v in verdicts if v.offered], verdicts=verdicts)
