"""The one place that turns querysets into arrays for `siting` and results into rows.

Reading the inputs of a plan (areas, demand, the sites offering each service) takes a fixed
number of aggregate queries whatever the number of survey responses; the arithmetic runs in
`siting`. Scenario results are saved with a fingerprint of their inputs and recomputed
whenever an input changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fenglin.versioning import Loaded, ensure_unchanged
from scenarios.models import (
    OptimisationRun,
    RunStatus,
    Scenario,
    ScenarioAddition,
    ScenarioResult,
    SitingModel,
    heartbeat_timeout,
)
from sites.models import Area, ServiceType, Site, SiteService, TargetGroup
from siting import (
    DemandPoints,
    Facilities,
    coverage_loss,
    evaluate_coverage,
    explain_solution,
    neighbours_within,
    reach,
    solve_lscp,
    solve_mclp,
    solve_multi_service,
    solve_pmedian,
)
from siting import Service as SitingService
from surveys.demand import DemandRow, demand_table, used_surveys

logger = logging.getLogger(__name__)

# Bump when the metrics' meaning or layout changes: every saved result becomes stale.
METRICS_VERSION = 2

# Population groups reported for every service (Area.population_for names).
GROUPS = (TargetGroup.ALL, TargetGroup.ELDERLY, TargetGroup.CHILDREN, TargetGroup.DISABLED)
SLOW_GROUPS = {TargetGroup.ELDERLY, TargetGroup.DISABLED}

# Demand points inside an area with a boundary: a grid about this fine, at most this many.
GRID_STEP_M = 60.0
GRID_MAX_POINTS = 400
_M_PER_DEG_LAT = 111_195.0


# --- Parameters and inputs -------------------------------------------------------------------


@dataclass(frozen=True)
class Parameters:
    """The walking and demand parameters of an evaluation."""

    detour: float = 1.3
    speed: float = 70.0  # m/min, adults
    elderly_speed: float = 50.0  # m/min, the elderly and disabled people
    k: float = 10.0
    survey_ids: tuple[int, ...] | None = None  # None: every survey that is not a draft

    @classmethod
    def of_scenario(cls, scenario: Scenario, survey_ids: Iterable[int] = ()) -> Parameters:
        ids = tuple(sorted(survey_ids))
        return cls(
            detour=float(scenario.detour_factor),
            speed=float(scenario.speed_m_per_min),
            elderly_speed=float(scenario.elderly_speed_m_per_min),
            k=float(scenario.prior_strength),
            survey_ids=ids or None,
        )

    def speed_for(self, target_group: str) -> float:
        """Minutes for a service are walked at its target group's speed."""
        return self.elderly_speed if target_group in SLOW_GROUPS else self.speed

    def as_dict(self) -> dict:
        return {
            "detour": self.detour,
            "speed": self.speed,
            "elderly_speed": self.elderly_speed,
            "k": self.k,
            "survey_ids": list(self.survey_ids) if self.survey_ids is not None else None,
        }


@dataclass(frozen=True)
class Provider:
    """A site offering a service in some state of the plan."""

    site_id: int
    name: str
    lat: float
    lng: float
    service_type_id: int
    capacity: float | None
    floor_area: float | None
    added: bool  # added by the scenario rather than operating today

    def key(self) -> list:
        return [self.site_id, self.name, self.lat, self.lng, self.capacity, self.added]


@dataclass(frozen=True)
class AreaPoints:
    """Demand points of all areas: centroids, or a grid inside an area's boundary."""

    lat: np.ndarray
    lng: np.ndarray
    area_index: np.ndarray  # which area (position in the area list) each point belongs to
    share: np.ndarray  # the fraction of its area's weight each point carries
    at_centroids: bool  # one point per area, at its centroid


@dataclass
class PlanInputs:
    """Everything an evaluation reads from the database, for a set of service types."""

    params: Parameters
    service_types: list[ServiceType]
    areas: list[Area]
    surveys: list  # the Survey rows used
    demand: dict[tuple[int, int], DemandRow]
    providers: dict[int, list[Provider]] = field(default_factory=dict)
    _rows_cache: dict[int, list[DemandRow]] = field(default_factory=dict, repr=False)

    @cached_property
    def points(self) -> AreaPoints:
        return area_points(self.areas)

    @cached_property
    def centroids(self) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.array([float(a.centroid_lat) for a in self.areas]),
            np.array([float(a.centroid_lng) for a in self.areas]),
        )

    @cached_property
    def populations(self) -> dict[str, np.ndarray]:
        """Each group's population per area, 0 where the area has no figure."""
        columns = {str(g): np.zeros(len(self.areas)) for g in GROUPS}
        for i, area in enumerate(self.areas):
            for group in GROUPS:
                columns[str(group)][i] = area.population_for(group) or 0
        return columns

    @cached_property
    def areas_key(self) -> str:
        """A digest of the areas' positions, boundaries and populations (shared by services)."""
        rows = [
            [
                a.pk,
                str(a.centroid_lat),
                str(a.centroid_lng),
                a.boundary,
                [a.population_for(g) for g in GROUPS],
            ]
            for a in self.areas
        ]
        text = json.dumps(rows, sort_keys=True, default=str, ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()

    @cached_property
    def area_ids(self) -> list[int]:
        return [a.pk for a in self.areas]

    def demand_rows(self, service_type: ServiceType) -> list[DemandRow]:
        """The demand rows of one service type, in the order of `areas`."""
        rows = self._rows_cache.get(service_type.pk)
        if rows is None:
            key = service_type.pk
            rows = self._rows_cache[key] = [self.demand[(a, key)] for a in self.area_ids]
        return rows


def area_points(areas: Sequence[Area]) -> AreaPoints:
    """One point per area at its centroid, or a regular grid inside its boundary where drawn."""
    lats, lngs, index, shares = [], [], [], []
    for i, area in enumerate(areas):
        plat, plng = _grid_in_boundary(area) if area.boundary else ([], [])
        if not plat:
            plat, plng = [float(area.centroid_lat)], [float(area.centroid_lng)]
        lats.extend(plat)
        lngs.extend(plng)
        index.extend([i] * len(plat))
        shares.extend([1.0 / len(plat)] * len(plat))
    return AreaPoints(
        lat=np.array(lats, dtype=float),
        lng=np.array(lngs, dtype=float),
        area_index=np.array(index, dtype=np.int64),
        share=np.array(shares, dtype=float),
        at_centroids=len(lats) == len(areas) and not any(a.boundary for a in areas),
    )


def _grid_in_boundary(area: Area) -> tuple[list[float], list[float]]:
    from shapely import contains_xy
    from shapely.geometry import shape

    polygon = shape(area.boundary)
    if polygon.is_empty or polygon.area == 0:
        return [], []
    min_lng, min_lat, max_lng, max_lat = polygon.bounds
    mid = math.radians((min_lat + max_lat) / 2)
    height_m = (max_lat - min_lat) * _M_PER_DEG_LAT
    width_m = (max_lng - min_lng) * _M_PER_DEG_LAT * math.cos(mid)
    step = max(GRID_STEP_M, math.sqrt(height_m * width_m / GRID_MAX_POINTS))
    dlat = step / _M_PER_DEG_LAT
    dlng = dlat / max(math.cos(mid), 1e-6)
    grid_lat = np.arange(min_lat + dlat / 2, max_lat, dlat)
    grid_lng = np.arange(min_lng + dlng / 2, max_lng, dlng)
    xx, yy = np.meshgrid(grid_lng, grid_lat)
    inside = contains_xy(polygon, xx.ravel(), yy.ravel())
    return yy.ravel()[inside].tolist(), xx.ravel()[inside].tolist()


def providers_today(service_type_ids: Iterable[int] | None = None) -> list[Provider]:
    """Services running today at operating sites, one query."""
    services = SiteService.objects.operating()
    if service_type_ids is not None:
        services = services.filter(service_type__in=list(service_type_ids))
    rows = services.order_by("site_id", "service_type_id").values(
        "site_id",
        "site__name",
        "site__latitude",
        "site__longitude",
        "service_type_id",
        "daily_capacity",
        "floor_area_m2",
    )
    return [
        Provider(
            site_id=r["site_id"],
            name=r["site__name"],
            lat=float(r["site__latitude"]),
            lng=float(r["site__longitude"]),
            service_type_id=r["service_type_id"],
            capacity=_float(r["daily_capacity"]),
            floor_area=_float(r["floor_area_m2"]),
            added=False,
        )
        for r in rows
    ]


def plan_inputs(
    *,
    params: Parameters,
    service_types: Sequence[ServiceType],
    closed_site_ids: Iterable[int] = (),
    additions: Iterable[ScenarioAddition] = (),
) -> PlanInputs:
    """Read a plan's inputs: today's providers minus closed sites plus the additions.

    A constant number of queries: areas, surveys, two demand aggregates, providers.
    """
    types = list(service_types)
    areas = list(Area.objects.all())
    surveys = list(used_surveys(params.survey_ids).order_by("pk"))
    survey_ids = [s.pk for s in surveys] if params.survey_ids is not None else None
    rows = demand_table(survey_ids=survey_ids, k=params.k, service_types=types, areas=areas)
    demand = {(r.area.pk, r.service_type.pk): r for r in rows}

    closed = set(closed_site_ids)
    wanted = {t.pk for t in types}
    providers: dict[int, list[Provider]] = {t.pk: [] for t in types}
    seen: set[tuple[int, int]] = set()
    for p in providers_today(wanted):
        if p.site_id not in closed:
            providers[p.service_type_id].append(p)
            seen.add((p.site_id, p.service_type_id))
    for a in additions:
        key = (a.site_id, a.service_type_id)
        if a.service_type_id not in wanted or a.site_id in closed or key in seen:
            continue
        seen.add(key)
        providers[a.service_type_id].append(
            Provider(
                site_id=a.site_id,
                name=a.site.name,
                lat=float(a.site.latitude),
                lng=float(a.site.longitude),
                service_type_id=a.service_type_id,
                capacity=_float(a.daily_capacity),
                floor_area=_float(a.floor_area_m2),
                added=True,
            )
        )
    return PlanInputs(
        params=params,
        service_types=types,
        areas=areas,
        surveys=surveys,
        demand=demand,
        providers=providers,
    )


def today_inputs(*, params: Parameters, service_types: Sequence[ServiceType]) -> PlanInputs:
    return plan_inputs(params=params, service_types=service_types)


def scenario_inputs(scenario: Scenario, service_types: Sequence[ServiceType] | None = None):
    """The inputs of a scenario (service types with a walking standard unless given)."""
    if service_types is None:
        service_types = list(ServiceType.objects.with_standard())
    params = Parameters.of_scenario(scenario, scenario.surveys.values_list("pk", flat=True))
    return plan_inputs(
        params=params,
        service_types=service_types,
        closed_site_ids=scenario.closed_sites.values_list("pk", flat=True),
        additions=scenario.additions.select_related("site"),
    )


# --- Evaluation ---------------------------------------------------------------------------------


def _float(value) -> float | None:
    return None if value is None else float(value)


def _clean(value: float | None, digits: int = 4) -> float | None:
    """A JSON-safe float: None for NaN and infinities."""
    if value is None:
        return None
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


def _demand_points(inputs: PlanInputs, service_type: ServiceType):
    pts = inputs.points
    area_demand = np.array([r.demand for r in inputs.demand_rows(service_type)], dtype=float)
    return DemandPoints(
        ids=range(len(pts.lat)),
        lat=pts.lat,
        lng=pts.lng,
        weight=area_demand[pts.area_index] * pts.share,
        groups={g: pop[pts.area_index] * pts.share for g, pop in inputs.populations.items()},
    )


def _json_floats(values: np.ndarray, digits: int) -> list[float | None]:
    """Rounded floats for JSON, None where not finite."""
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    rounded = np.round(np.where(finite, values, 0.0), digits).tolist()
    return [v if ok else None for v, ok in zip(rounded, finite.tolist(), strict=True)]


def _facilities(providers: Sequence[Provider]):
    return Facilities(
        ids=[p.site_id for p in providers],
        lat=np.array([p.lat for p in providers], dtype=float),
        lng=np.array([p.lng for p in providers], dtype=float),
        capacity=np.array(
            [np.nan if p.capacity is None else p.capacity for p in providers], dtype=float
        ),
    )


def evaluate_service(inputs: PlanInputs, service_type: ServiceType) -> dict:
    """The coverage metrics of one service type in a plan, as a JSON-safe dict."""
    params = inputs.params
    threshold = float(service_type.threshold_m)
    providers = inputs.providers.get(service_type.pk, [])
    facilities = _facilities(providers)
    speed = params.speed_for(service_type.target_group)
    group_speed = {str(g): params.speed_for(g) for g in GROUPS}
    demand = _demand_points(inputs, service_type)
    result = evaluate_coverage(
        demand,
        facilities,
        threshold,
        detour=params.detour,
        speed_m_per_min=speed,
        group_speed_m_per_min=group_speed,
    )
    pts = inputs.points
    n_areas = len(inputs.areas)
    rows = inputs.demand_rows(service_type)
    unmet = np.bincount(pts.area_index, weights=result.uncovered_weight, minlength=n_areas)

    # The gap check and the nearest site are measured from each area's centre.
    if pts.at_centroids:
        centre = result
    else:
        clat, clng = inputs.centroids
        centre = evaluate_coverage(
            DemandPoints.from_arrays(clat, clng),
            facilities,
            threshold,
            detour=params.detour,
            speed_m_per_min=speed,
        )
    # One extra entry so that "no site" (index -1) stays a valid index; without a site the
    # distance and minutes are infinite, stored as None, and the centre is not covered.
    site_ids = np.array([p.site_id for p in providers] + [0], dtype=np.int64)
    nearest_ids = [
        int(site_id) if found else None
        for site_id, found in zip(
            site_ids[centre.nearest].tolist(), (centre.nearest >= 0).tolist(), strict=True
        )
    ]
    keys = (
        "area_id",
        "demand",
        "unmet",
        "uses_population",
        "nearest_site_id",
        "nearest_m",
        "minutes",
        "centre_covered",
    )
    columns = zip(
        inputs.area_ids,
        _json_floats([r.demand for r in rows], 4),
        _json_floats(unmet, 4),
        [r.uses_population for r in rows],
        nearest_ids,
        _json_floats(centre.walk_m, 1),
        _json_floats(centre.minutes, 1),
        centre.covered.tolist(),
        strict=True,
    )
    areas = [dict(zip(keys, values, strict=True)) for values in columns]
    # "Subtraction": the demand only this site covers (lost if it alone closed); the rest of its
    # load has another site within the threshold. Sparse: pairs within reach only.
    cover = reach(
        neighbours_within(
            demand.lat, demand.lng, facilities.lat, facilities.lng, threshold / params.detour
        )
    )
    loss = coverage_loss(cover, demand.weight, np.ones(len(providers), dtype=bool))
    picked_up = np.maximum(result.load - loss, 0.0)
    sites = [
        {
            "site_id": p.site_id,
            "name": p.name,
            "lat": p.lat,
            "lng": p.lng,
            "added": p.added,
            "load": load,
            "capacity": p.capacity,
            "utilisation": utilisation,
            "floor_area": p.floor_area,
            "loss_if_closed": site_loss,
            "picked_up_if_closed": site_picked,
        }
        for p, load, utilisation, site_loss, site_picked in zip(
            providers,
            _json_floats(result.load, 2),
            _json_floats(result.utilisation, 4),
            _json_floats(loss, 2),
            _json_floats(picked_up, 2),
            strict=True,
        )
    ]
    group_population = {g: _clean(pop.sum(), 1) for g, pop in inputs.populations.items()}
    return {
        "version": METRICS_VERSION,
        "threshold_m": threshold,
        "detour": params.detour,
        "speed": speed,
        "total_demand": _clean(result.total_weight),
        "covered_demand": _clean(result.covered_weight),
        "unmet_demand": _clean(result.total_weight - result.covered_weight),
        "share_covered": _clean(result.share_covered),
        "group_share": {g: _clean(v) for g, v in result.group_share.items()},
        "group_population": group_population,
        "mean_minutes": _clean(result.mean_minutes, 2),
        "group_mean_minutes": {g: _clean(v, 2) for g, v in result.group_mean_minutes.items()},
        "site_count": len(providers),
        "added_count": sum(p.added for p in providers),
        "fallback_areas": sum(not r.uses_population for r in rows),
        "areas": areas,
        "sites": sites,
    }


def fingerprint(inputs: PlanInputs, service_type: ServiceType) -> str:
    """A hash of every input of one service's evaluation.

    Parameters, the surveys' results versions, the service's standard, the areas' positions and
    populations, each area's demand figures and the providers' rows: any change gives a new hash.
    """
    payload = {
        "version": METRICS_VERSION,
        "params": inputs.params.as_dict(),
        "surveys": [[s.pk, s.results_version] for s in inputs.surveys],
        "service": [service_type.pk, service_type.threshold_m, service_type.target_group],
        "areas": inputs.areas_key,
        "demand": [
            [r.area.pk, r.respondents, r.choosers, repr(r.demand)]
            for r in inputs.demand_rows(service_type)
        ],
        "providers": sorted(p.key() for p in inputs.providers.get(service_type.pk, [])),
    }
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def evaluate_scenario(*, scenario: Scenario, force: bool = False) -> dict[int, ScenarioResult]:
    """The scenario's results per service type, recomputing every stale (or, forced, every) one.

    A saved result is reused only when its fingerprint equals that of the current inputs.
    """
    inputs = scenario_inputs(scenario)
    saved = {r.service_type_id: r for r in scenario.results.all()}
    now = timezone.now()
    results, stale = {}, []
    for service_type in inputs.service_types:
        fp = fingerprint(inputs, service_type)
        result = saved.get(service_type.pk)
        if force or result is None or result.fingerprint != fp:
            result = ScenarioResult(
                scenario=scenario,
                service_type=service_type,
                fingerprint=fp,
                metrics=evaluate_service(inputs, service_type),
                computed_at=now,
            )
            stale.append(result)
        result.service_type = service_type
        results[service_type.pk] = result
    if stale:
        ScenarioResult.objects.bulk_create(
            stale,
            update_conflicts=True,
            unique_fields=["scenario", "service_type"],
            update_fields=["fingerprint", "metrics", "computed_at"],
        )
    gone = set(saved) - set(results)
    if gone:
        scenario.results.filter(service_type__in=gone).delete()
    return results


def scenario_summary(scenario: Scenario, results: dict[int, ScenarioResult]) -> dict:
    """Scenario-wide figures for the comparison: floor area used, sites opened and closed."""
    additions = list(scenario.additions.all())
    floor = Decimal(0)
    missing_floor = 0
    for a in additions:
        if a.floor_area_m2 is not None:
            floor += a.floor_area_m2
        elif a.service_type.min_floor_area_m2 is not None:
            floor += a.service_type.min_floor_area_m2
            missing_floor += 1
        else:
            missing_floor += 1
    metrics = [r.metrics for r in results.values()]
    return {
        "floor_area": floor,
        "floor_area_estimated": missing_floor,
        "opened": sorted({a.site for a in additions}, key=lambda s: s.name),
        "closed": list(scenario.closed_sites.all()),
        "total_unmet": sum(m.get("unmet_demand") or 0 for m in metrics),
    }


# --- Standards gaps -----------------------------------------------------------------------------


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
                _facilities(providers),
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


# --- Scenario writes ----------------------------------------------------------------------------


@transaction.atomic
def create_scenario(
    *,
    name: str,
    user,
    description: str = "",
    surveys: Iterable = (),
    closed_sites: Iterable = (),
    **parameters,
) -> Scenario:
    """A scenario starting from today's operating sites."""
    scenario = Scenario(name=name, description=description, created_by=_user(user), **parameters)
    scenario.full_clean()
    scenario.save()
    scenario.surveys.set(surveys)
    scenario.closed_sites.set(closed_sites)
    return scenario


@transaction.atomic
def save_scenario(
    *, scenario: Scenario, surveys: Iterable, closed_sites: Iterable, loaded: Loaded | None = None
) -> Scenario:
    """Save an edited scenario with its surveys and closed sites.

    Raises EditConflict when someone else saved a field of the form since it was loaded.
    """
    ensure_unchanged(scenario, loaded)
    scenario.full_clean()
    scenario.save()
    scenario.surveys.set(surveys)
    scenario.closed_sites.set(closed_sites)
    # A closed site adds nothing: drop its additions so the lists stay consistent.
    scenario.additions.filter(site__in=scenario.closed_sites.all()).delete()
    return scenario


@transaction.atomic
def add_to_scenario(
    *,
    scenario: Scenario,
    site: Site,
    service_type: ServiceType,
    floor_area_m2: Decimal | None = None,
    daily_capacity: int | None = None,
) -> tuple[ScenarioAddition, bool]:
    """Add a service at a site to the scenario: (the addition, whether it is new).

    The same addition posted twice (a double click, a retry) is stored once: the second time
    returns the first one. The same site and service with other figures raises ValidationError.
    """
    key = {"scenario": scenario, "site": site, "service_type": service_type}
    existing = ScenarioAddition.objects.filter(**key).first()
    if existing is None:
        addition = ScenarioAddition(
            **key, floor_area_m2=floor_area_m2, daily_capacity=daily_capacity
        )
        addition.full_clean()
        try:
            with transaction.atomic():
                addition.save()
        except IntegrityError:
            # A concurrent request stored it between the check above and this insert.
            existing = ScenarioAddition.objects.filter(**key).first()
            if existing is None:
                raise
        else:
            Scenario.objects.filter(pk=scenario.pk).update(updated_at=timezone.now())
            return addition, True
    if (existing.floor_area_m2, existing.daily_capacity) != (floor_area_m2, daily_capacity):
        raise ValidationError(
            {"service_type": gettext("The scenario already adds this service here.")},
            code="unique",
        )
    return existing, False


@transaction.atomic
def remove_from_scenario(*, addition: ScenarioAddition) -> None:
    scenario_pk = addition.scenario_id
    addition.delete()
    Scenario.objects.filter(pk=scenario_pk).update(updated_at=timezone.now())


@transaction.atomic
def copy_scenario(*, scenario: Scenario, name: str, user, description: str = "") -> Scenario:
    """A new scenario with the same parameters and changes."""
    copy = create_scenario(
        name=name,
        user=user,
        description=description,
        surveys=scenario.surveys.all(),
        closed_sites=scenario.closed_sites.all(),
        detour_factor=scenario.detour_factor,
        speed_m_per_min=scenario.speed_m_per_min,
        elderly_speed_m_per_min=scenario.elderly_speed_m_per_min,
        prior_strength=scenario.prior_strength,
    )
    ScenarioAddition.objects.bulk_create(
        ScenarioAddition(
            scenario=copy,
            site_id=a.site_id,
            service_type_id=a.service_type_id,
            floor_area_m2=a.floor_area_m2,
            daily_capacity=a.daily_capacity,
        )
        for a in scenario.additions.all()
    )
    return copy


def _user(user):
    return user if user is not None and user.is_authenticated else None


# --- Optimisation -------------------------------------------------------------------------------


class RunCancelled(Exception):
    """The planner cancelled the run; raised between stages."""


def optimisation_pool(scenario: Scenario, service_type: ServiceType) -> tuple[list, list]:
    """(sites offering the service in the scenario, other sites that could take it).

    The others are candidate premises and operating sites not offering it, minus closed ones.
    """
    closed = set(scenario.closed_sites.values_list("pk", flat=True))
    offering_today = SiteService.objects.operating().filter(service_type=service_type)
    added = scenario.additions.filter(service_type=service_type)
    providers = Site.objects.filter(
        Q(pk__in=offering_today.values("site")) | Q(pk__in=added.values("site"))
    ).exclude(pk__in=closed)
    others = (
        Site.objects.filter(
            Q(pk__in=Site.objects.candidates()) | Q(pk__in=Site.objects.operating())
        )
        .exclude(pk__in=closed)
        .exclude(pk__in=providers.values("pk"))
    )
    return list(providers.order_by("name")), list(others.order_by("name"))


def shared_pool(scenario: Scenario) -> list[Site]:
    """Buildings a shared-buildings plan may use: candidate premises and operating sites, minus
    the ones the scenario closes."""
    closed = scenario.closed_sites.values_list("pk", flat=True)
    usable = Q(pk__in=Site.objects.candidates()) | Q(pk__in=Site.objects.operating())
    return list(Site.objects.filter(usable).exclude(pk__in=closed).order_by("name"))


@transaction.atomic
def start_optimisation(
    *,
    scenario: Scenario,
    user,
    model: str,
    service_type: ServiceType | None,
    new_sites: int | None,
    target_share: Decimal | None,
    locked: Iterable[Site],
    excluded: Iterable[Site],
    method: str,
    time_limit_s: int,
    shared_service_types: Sequence[ServiceType] = (),
) -> OptimisationRun:
    """Record an optimisation run and enqueue its task (in the same transaction).

    The shared-buildings model takes ``shared_service_types`` instead of ``service_type``;
    the services already offered in the scenario always keep their buildings.
    """
    from scenarios.tasks import optimise

    run = OptimisationRun(
        scenario=scenario,
        model=model,
        service_type=service_type,
        service_type_ids=sorted(t.pk for t in shared_service_types),
        new_sites=new_sites if model != SitingModel.LSCP else None,
        target_share=target_share if model == SitingModel.LSCP else None,
        locked_site_ids=sorted(s.pk for s in locked),
        excluded_site_ids=sorted(s.pk for s in excluded),
        method=method,
        time_limit_s=time_limit_s,
        stage=gettext_noop("Waiting for a worker"),
        created_by=_user(user),
    )
    run.full_clean()
    run.save()
    task_result = optimise.enqueue(run.pk)
    # Only the id: with an immediate backend the task has already written its own progress.
    OptimisationRun.objects.filter(pk=run.pk).update(task_result_id=str(task_result.id)[:64])
    run.refresh_from_db()
    return run


@transaction.atomic
def request_cancel(*, run: OptimisationRun) -> OptimisationRun:
    """Ask a run to stop. A run no live worker holds (still queued, or running but silent for
    longer than the heartbeat timeout) is cancelled at once; a live one stops after its stage."""
    OptimisationRun.objects.filter(pk=run.pk).cancel()
    run.refresh_from_db()
    return run


@transaction.atomic
def expire_runs(*, pks: Collection[int] | None = None, now: datetime | None = None) -> int:
    """End the runs that no worker will finish (all of them, or those among ``pks``).

    A running run whose worker gave no sign of life for longer than `RUN_HEARTBEAT_TIMEOUT`
    fails with the reason on its page. A queued run is only abandoned when its task is: a
    busy queue keeps tasks waiting as long as it must, so waiting alone proves nothing.
    Returns how many runs were ended.
    """
    now = now or timezone.now()
    runs = OptimisationRun.objects.all()
    if pks is not None:
        runs = runs.filter(pk__in=pks)
    ended = runs.expire(now=now)
    lost = _lost_task_runs(runs, cutoff=now - heartbeat_timeout())
    if lost:
        ended += runs.filter(pk__in=lost).abandon(now=now)
    if ended:
        logger.warning("Ended %s optimisation run(s) that no worker would finish", ended)
    return ended


def _lost_task_runs(runs, *, cutoff: datetime) -> list[int]:
    """Queued runs, older than ``cutoff``, whose task no worker will run: its row is gone or
    finished, or a worker claimed it before ``cutoff`` and died before starting the run."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from scenarios.tasks import optimise

    # Other backends (the immediate one of the tests) run the task before its run is shown.
    if not isinstance(optimise.get_backend(), DatabaseBackend):
        return []
    waiting = dict(
        runs.filter(status=RunStatus.QUEUED, created_at__lt=cutoff).values_list(
            "pk", "task_result_id"
        )
    )
    if not waiting:
        return []
    task_ids = {}
    for pk, task_id in waiting.items():
        try:
            task_ids[pk] = uuid.UUID(task_id)
        except ValueError:
            continue  # never enqueued: lost
    alive = set(
        DBTaskResult.objects.filter(id__in=task_ids.values())
        .filter(
            Q(status=TaskResultStatus.READY)
            | Q(status=TaskResultStatus.RUNNING, started_at__gte=cutoff)
        )
        .values_list("id", flat=True)
    )
    return [pk for pk in waiting if task_ids.get(pk) not in alive]


@contextmanager
def _heartbeat(run_id: int) -> Iterator[None]:
    """Beat for the run from a daemon thread while the block runs.

    A solver phase may run for its whole time limit without calling back, and a run that
    stays silent longer than the timeout is taken for one whose worker died.
    """
    interval = max(float(settings.RUN_HEARTBEAT_TIMEOUT) / 4, 0.01)
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    OptimisationRun.objects.filter(pk=run_id).beat()
                except DatabaseError:
                    # The next beat tries again; if none gets through, the run expires.
                    logger.warning("Heartbeat of optimisation run %s not saved", run_id)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"run-{run_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval)


def _progress(run_id: int, progress: int, stage: str) -> None:
    """Write progress, unless the run was cancelled; then stop the task.

    `stage` is an untranslated message: pages translate it into the reader's language.
    """
    updated = OptimisationRun.objects.filter(
        pk=run_id, cancel_requested=False, status=RunStatus.RUNNING
    ).update(progress=progress, stage=stage, heartbeat_at=timezone.now())
    if not updated:
        raise RunCancelled


def run_optimisation(run_id: int) -> dict:
    """The body of the optimisation task: solve, explain, save the result as a new scenario.

    Each stage checks the cancel flag; a failure is recorded on the run, never left running.
    A heartbeat thread shows the run alive through long solver phases; if the worker dies,
    the silence ends the run (`expire_runs`).
    """
    runs = OptimisationRun.objects.filter(pk=run_id)
    if not runs.start():
        return {"status": "skipped"}
    try:
        with _heartbeat(run_id):
            summary, result_scenario = _optimise(run_id)
    except RunCancelled:
        # Also when the run was expired meanwhile: then it keeps the end it was given.
        runs.end_running(status=RunStatus.CANCELLED, stage=gettext_noop("Cancelled"))
        return {"status": "cancelled"}
    except Exception as exc:  # recorded for the planner; the task itself succeeds
        runs.end_running(
            status=RunStatus.FAILED,
            stage=gettext_noop("Failed"),
            error=str(exc)[:2000] or exc.__class__.__name__,
        )
        return {"status": "failed"}
    # The solver's own "status" (optimal, time limit…) stays inside: it is not the run's.
    return {"status": "succeeded", "scenario": result_scenario.pk, "solution": summary["solution"]}


def _optimise(run_id: int) -> tuple[dict, Scenario]:
    run = OptimisationRun.objects.select_related("scenario", "service_type").get(pk=run_id)
    if run.model == SitingModel.SHARED:
        return _optimise_shared(run)
    scenario, service_type = run.scenario, run.service_type
    if service_type.threshold_m is None:
        raise ValueError(gettext("This service has no walking threshold to optimise against."))

    _progress(run_id, 10, gettext_noop("Reading demand and candidate sites"))
    providers, others = optimisation_pool(scenario, service_type)
    locked_ids = set(run.locked_site_ids)
    excluded_ids = set(run.excluded_site_ids)
    pool = providers + others
    fixed = np.array([s.pk in locked_ids for s in pool], dtype=bool)
    excluded = np.array([s.pk in excluded_ids and s.pk not in locked_ids for s in pool], bool)
    inputs = scenario_inputs(scenario, [service_type])
    demand = _demand_points(inputs, service_type)
    candidates = Facilities(
        ids=[s.pk for s in pool],
        lat=np.array([float(s.latitude) for s in pool], dtype=float),
        lng=np.array([float(s.longitude) for s in pool], dtype=float),
    )
    radius = float(service_type.threshold_m) / inputs.params.detour

    _progress(run_id, 30, gettext_noop("Solving"))
    solution = solve(
        model=run.model,
        demand=demand,
        candidates=candidates,
        radius_m=radius,
        p=int(fixed.sum()) + (run.new_sites or 0),
        target_share=float(run.target_share) if run.target_share is not None else None,
        fixed=fixed,
        excluded=excluded,
        method=run.method,
        time_limit=float(run.time_limit_s),
    )

    _progress(run_id, 80, gettext_noop("Explaining the choice"))
    chosen = [int(j) for j in solution.chosen]
    explanations = explain(
        inputs=inputs,
        demand=demand,
        candidates=candidates,
        pool=pool,
        chosen=chosen,
        threshold_m=float(service_type.threshold_m),
    )
    provider_ids = {s.pk for s in providers}
    new_ids = [pool[j].pk for j in chosen if pool[j].pk not in provider_ids]
    for entry in explanations:  # map colours: new sites as planned ones
        entry["status"] = "operating" if entry["site_id"] in provider_ids else "selected"
    dropped = [s.pk for s in providers if s.pk not in {pool[j].pk for j in chosen}]

    summary = {
        "solution": _solution_summary(solution, solution.model),
        "chosen": explanations,
        "new_site_ids": new_ids,
        "not_kept_site_ids": dropped,
        "candidates": len(pool),
    }
    label = dict(SitingModel.choices)[run.model].split(" (")[0]
    if run.model == SitingModel.LSCP:
        detail = f"{float(run.target_share):.0%}"
    else:
        detail = f"p+{run.new_sites}"
    name = f"{scenario.name} · {label} · {service_type.name} · {detail}"
    additions = [(site_id, service_type) for site_id in new_ids]
    return summary, _save_and_finish(run, summary, name, additions)


def _placements(scenario: Scenario, pool: Sequence[Site]) -> dict[int, dict[int, float]]:
    """Per site of ``pool``: the services it offers in ``scenario`` and the floor area each takes
    (the recorded one, else the standard's minimum, else 0)."""
    site_ids = [s.pk for s in pool]
    rows = [
        (row.site_id, row.service_type_id, row.floor_area_m2, row.service_type.min_floor_area_m2)
        for row in SiteService.objects.operating()
        .filter(site__in=site_ids)
        .select_related("service_type")
    ]
    rows += [
        (a.site_id, a.service_type_id, a.floor_area_m2, a.service_type.min_floor_area_m2)
        for a in scenario.additions.filter(site__in=site_ids).select_related("service_type")
    ]
    offered: dict[int, dict[int, float]] = {}
    for site_id, type_id, area, standard in rows:
        offered.setdefault(site_id, {})[type_id] = float(area or standard or 0)
    return offered


def _optimise_shared(run: OptimisationRun) -> tuple[dict, Scenario]:
    """Place several services into buildings at once (the life-box problem).

    Each building's floor area, less what services outside the plan take there, is shared by
    the planned services at their standard's minimum area; services already offered keep
    their building (fixed placements).
    """
    scenario, types = run.scenario, run.shared_service_types()
    if len(types) < 2 or any(t.threshold_m is None for t in types):
        raise ValueError(gettext("Choose at least two services with a walking threshold."))

    _progress(run.pk, 10, gettext_noop("Reading demand and candidate sites"))
    pool = shared_pool(scenario)
    offered = _placements(scenario, pool)
    planned = {t.pk: i for i, t in enumerate(types)}
    need = np.array([float(t.min_floor_area_m2 or 0) for t in types])
    excluded_ids = set(run.excluded_site_ids)
    fixed, floor, excluded = [], np.zeros(len(pool)), []
    for b, site in enumerate(pool):
        here = offered.get(site.pk, {})
        others = sum(area for type_id, area in here.items() if type_id not in planned)
        placed = [planned[type_id] for type_id in here if type_id in planned]
        fixed += [(i, b) for i in placed]
        room = float(site.floor_area_m2) - others if site.floor_area_m2 is not None else 0.0
        if site.pk in excluded_ids:
            room = 0.0  # an excluded building keeps what it offers and gets nothing new
            if not placed:
                excluded.append(b)
        # Never less than its fixed placements need: a recorded area may be out of date.
        floor[b] = max(room, float(need[placed].sum()))
    fixed_buildings = {b for _, b in fixed}
    inputs = scenario_inputs(scenario, types)
    points = [_demand_points(inputs, t) for t in types]
    buildings = Facilities(
        ids=[s.pk for s in pool],
        lat=np.array([float(s.latitude) for s in pool], dtype=float),
        lng=np.array([float(s.longitude) for s in pool], dtype=float),
    )
    services = [
        SitingService(
            name=t.code,
            radius_m=float(t.threshold_m) / inputs.params.detour,
            floor_area_m2=float(need[i]),
            weight=points[i].weight,
        )
        for i, t in enumerate(types)
    ]

    _progress(run.pk, 30, gettext_noop("Solving"))
    solution = solve_multi_service(
        points[0],
        services,
        buildings,
        floor,
        max_buildings=len(fixed_buildings) + int(run.new_sites),
        fixed=fixed,
        excluded=excluded,
        method=run.method,
        time_limit=float(run.time_limit_s),
    )

    _progress(run.pk, 80, gettext_noop("Explaining the choice"))
    is_fixed = np.zeros_like(solution.placed)
    for i, b in fixed:
        is_fixed[i, b] = True
    new = solution.placed & ~is_fixed
    chosen = []
    for b in solution.buildings.tolist():
        site = pool[b]
        chosen.append(
            {
                "site_id": site.pk,
                "name": site.name,
                "lat": float(site.latitude),
                "lng": float(site.longitude),
                "status": "operating" if b in fixed_buildings else "selected",
                "services": [types[i].name for i in np.flatnonzero(solution.placed[:, b])],
                "new_services": [types[i].name for i in np.flatnonzero(new[:, b])],
                "area_used": _clean(solution.area_used[b], 1),
                "floor_area": _clean(floor[b], 1),
            }
        )
    per_service = [
        {
            "name": t.name,
            "covered": _clean(solution.covered[i], 2),
            "share": _clean(solution.covered[i] / points[i].weight.sum(), 4)
            if points[i].weight.sum() > 0
            else None,
            "sites": int(solution.placed[i].sum()),
        }
        for i, t in enumerate(types)
    ]
    additions = [(pool[b].pk, types[i]) for i, b in zip(*np.nonzero(new), strict=True)]
    new_pairs = [[site_id, service_type.pk] for site_id, service_type in additions]
    summary = {
        "solution": _solution_summary(solution, SitingModel.SHARED.value),
        "chosen": chosen,
        "services": per_service,
        "new_site_ids": sorted({site_id for site_id, _ in new_pairs}),
        "new_pairs": new_pairs,
        "not_kept_site_ids": [],
        "candidates": len(pool),
    }
    name = f"{scenario.name} · {SitingModel.SHARED.label} · +{run.new_sites}"
    return summary, _save_and_finish(run, summary, name, additions)


def _solution_summary(solution, model: str) -> dict:
    return {
        "model": model,
        "method": solution.method,
        "objective": _clean(solution.objective, 3),
        "bound": _clean(solution.bound, 3),
        "gap": _clean(solution.gap, 6),
        "seconds": _clean(solution.seconds, 3),
        "status": solution.status,
    }


def _save_and_finish(
    run: OptimisationRun, summary: dict, name: str, additions: list[tuple[int, ServiceType]]
) -> Scenario:
    """Save the result as a copy of the run's scenario with ``additions`` (site id, service
    type; at the standard's minimum floor area) and mark the run finished."""
    _progress(run.pk, 90, gettext_noop("Saving the new scenario"))
    with transaction.atomic():
        # Last check: a cancel that arrived while solving wins over saving.
        _progress(run.pk, 95, gettext_noop("Saving the new scenario"))
        result = copy_scenario(
            scenario=run.scenario,
            name=name[:150],
            user=run.created_by,
            description=gettext("Result of optimisation run %(id)s.") % {"id": run.pk},
        )
        ScenarioAddition.objects.bulk_create(
            [
                ScenarioAddition(
                    scenario=result,
                    site_id=site_id,
                    service_type=service_type,
                    floor_area_m2=service_type.min_floor_area_m2,
                )
                for site_id, service_type in additions
            ],
            ignore_conflicts=True,
        )
        OptimisationRun.objects.filter(pk=run.pk).update(
            status=RunStatus.SUCCEEDED,
            progress=100,
            stage=gettext_noop("Finished"),
            summary=summary,
            result_scenario=result,
            finished_at=timezone.now(),
        )
    return result


def solve(
    *,
    model: str,
    demand,
    candidates,
    radius_m: float,
    p: int,
    target_share: float | None,
    fixed: np.ndarray,
    excluded: np.ndarray,
    method: str,
    time_limit: float,
):
    """Call the chosen solver of `siting`."""
    common = {"fixed": fixed, "excluded": excluded, "method": method, "time_limit": time_limit}
    if model == SitingModel.MCLP:
        return solve_mclp(demand, candidates, p=p, radius_m=radius_m, **common)
    if model == SitingModel.PMEDIAN:
        return solve_pmedian(demand, candidates, p=p, **common)
    if model == SitingModel.LSCP:
        return solve_lscp(demand, candidates, radius_m=radius_m, target=target_share, **common)
    raise ValueError(f"unknown model {model!r}")


def explain(
    *,
    inputs: PlanInputs,
    demand,
    candidates,
    pool: Sequence[Site],
    chosen: Sequence[int],
    threshold_m: float,
) -> list[dict]:
    """For each chosen site: the demand only it covers among the chosen, and the areas it serves."""
    items = explain_solution(
        demand, candidates, chosen, threshold_m=threshold_m, detour=inputs.params.detour
    )
    area_names = [a.name for a in inputs.areas]
    area_index = inputs.points.area_index
    return [
        {
            "site_id": pool[e.position].pk,
            "name": pool[e.position].name,
            "lat": float(pool[e.position].latitude),
            "lng": float(pool[e.position].longitude),
            "gain": _clean(e.marginal_weight, 2),
            "served": _clean(e.served_weight, 2),
            "areas": sorted({area_names[i] for i in area_index[e.served].tolist()}),
        }
        for e in items
    ]
