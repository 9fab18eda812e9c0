"""The one place that turns querysets into arrays for `siting`, and results back into rows.

Reading the inputs of a plan (areas, demand, the sites offering each service) takes a fixed
number of aggregate queries whatever the number of survey responses; the arithmetic runs in
`siting`. Everything here reads; nothing writes.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from django.db.models import Q

from scenarios.models import Scenario, ScenarioAddition
from sites.models import Area, ResidentialPoint, ServiceType, Site, SiteService, TargetGroup
from sites.network import WalkingModel
from sites.travel import Register, TravelTimes, centre_travel_times, travel_times
from siting import DemandPoints, Facilities
from siting.constants import ELDERLY_WALKING_SPEED_M_PER_MIN, WALKING_SPEED_M_PER_MIN
from surveys.demand import DEFAULT_K, DemandRow, demand_table, used_surveys

# Population groups reported for every service (Area.population_for names).
GROUPS = (TargetGroup.ALL, TargetGroup.ELDERLY, TargetGroup.CHILDREN, TargetGroup.DISABLED)
SLOW_GROUPS = {TargetGroup.ELDERLY, TargetGroup.DISABLED}


def group_of(service_type: ServiceType) -> str:
    """The population group (a key of GROUPS) a service's demand and coverage are counted in."""
    group = str(service_type.target_group)
    return group if group in GROUPS else str(TargetGroup.ALL)


# Demand points inside an area with a boundary: a grid about this fine, at most this many.
GRID_STEP_M = 60.0
GRID_MAX_POINTS = 400
_M_PER_DEG_LAT = 111_195.0


# --- Parameters and inputs -------------------------------------------------------------------


@dataclass(frozen=True)
class Parameters:
    """The walking speeds and demand parameters of an evaluation.

    Distances are not a parameter: every plan measures them with the one walking model
    (:func:`sites.travel.travel_times`), so that a plan and the area pages never disagree.
    """

    speed: float = WALKING_SPEED_M_PER_MIN  # adults
    elderly_speed: float = ELDERLY_WALKING_SPEED_M_PER_MIN  # the elderly and disabled people
    k: float = DEFAULT_K
    survey_ids: tuple[int, ...] | None = None  # None: every survey that is not a draft

    @classmethod
    def of_scenario(cls, scenario: Scenario, survey_ids: Iterable[int] = ()) -> Parameters:
        ids = tuple(sorted(survey_ids))
        return cls(
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
        """Everything of the provider that the metrics show (its part of a fingerprint)."""
        return [
            self.site_id,
            self.name,
            self.lat,
            self.lng,
            self.capacity,
            self.floor_area,
            self.added,
        ]


@dataclass(frozen=True)
class AreaPoints:
    """Demand points of all areas: where their residents live (see :func:`area_points`)."""

    lat: np.ndarray
    lng: np.ndarray
    area_index: np.ndarray  # which area (position in the area list) each point belongs to
    share: np.ndarray  # the fraction of its area's residents each point carries
    at_centroids: bool  # one point per area, at its centroid
    # The same fraction per population group (GROUPS names): an estate may hold a quarter of
    # its area's residents but half of its elderly.
    group_share: dict[str, np.ndarray] = field(default_factory=dict)


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
    def residences(self) -> list[dict]:
        """Every residential point's area, position and population by group (one query)."""
        return list(ResidentialPoint.objects.order_by("pk").values("pk", *RESIDENCE_FIELDS))

    @cached_property
    def points(self) -> AreaPoints:
        return area_points(self.areas, self.residences)

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
    def register(self) -> Register:
        """The sites and the walking model every walk of this plan is measured on."""
        return Register.now()

    @property
    def walking_model(self) -> WalkingModel:
        return self.register.model

    @cached_property
    def walks(self) -> TravelTimes:
        """Walking metres from the demand points to every site (the one walking model)."""
        pts = self.points
        return travel_times(np.column_stack([pts.lat, pts.lng]), register=self.register)

    @cached_property
    def centre_walks(self) -> TravelTimes:
        """Walking metres from the areas' centres to every site (the gap check's figure, the
        same cached matrix as the area pages')."""
        lat, lng = self.centroids
        return centre_travel_times(self.register, np.column_stack([lat, lng]))

    def provider_walks(self, providers: Sequence[Provider], *, centres: bool = False):
        """The walks to some providers, one column each, in their order."""
        times = self.centre_walks if centres else self.walks
        return times.for_sites([p.site_id for p in providers])

    @cached_property
    def areas_key(self) -> str:
        """A digest of the areas' positions, boundaries and populations and of the residential
        points' (shared by services): moving or re-counting an estate refreshes every result."""
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
        rows.append([[r[name] for name in ("pk", *RESIDENCE_FIELDS)] for r in self.residences])
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


def area_points(areas: Sequence[Area], residences: Sequence[dict] = ()) -> AreaPoints:
    """Where each area's residents live, as demand points with the share of each group each
    point carries.

    An area with residential points that have a population figure (``residences``: rows of
    RESIDENCE_FIELDS) is those points, each carrying the share of the area's residents of each
    group that its own figures give; a group the points do not all have a figure for follows
    their total population. An area without any is a regular grid inside its boundary, equal
    shares, and without a boundary its centroid.
    """
    homes: dict[int, list[dict]] = {}
    for row in residences:
        if row["area_id"] is not None and row["population_total"]:
            homes.setdefault(row["area_id"], []).append(row)
    lats, lngs, index = [], [], []
    shares: dict[str, list[float]] = {str(g): [] for g in GROUPS}
    at_centroids = True
    for i, area in enumerate(areas):
        rows = homes.get(area.pk, [])
        if rows:
            plat = [float(r["latitude"]) for r in rows]
            plng = [float(r["longitude"]) for r in rows]
            total = _shares([r["population_total"] for r in rows])
            for group in shares:
                own = _shares([_residents(r, group) for r in rows])
                shares[group].extend(total if own is None else own)
        else:
            plat, plng = _grid_in_boundary(area) if area.boundary else ([], [])
            if not plat:
                plat, plng = [float(area.centroid_lat)], [float(area.centroid_lng)]
            for group in shares:
                shares[group].extend([1.0 / len(plat)] * len(plat))
        at_centroids = at_centroids and not rows and len(plat) == 1 and not area.boundary
        lats.extend(plat)
        lngs.extend(plng)
        index.extend([i] * len(plat))
    group_share = {group: np.array(values, dtype=float) for group, values in shares.items()}
    return AreaPoints(
        lat=np.array(lats, dtype=float),
        lng=np.array(lngs, dtype=float),
        area_index=np.array(index, dtype=np.int64),
        share=group_share[str(TargetGroup.ALL)],
        at_centroids=at_centroids,
        group_share=group_share,
    )


# A residential point's fields that demand reads, and those that make up each group's figure
# (the groups of ResidentialPoint.population_for: children are the two age bands together).
RESIDENCE_FIELDS = (
    "area_id",
    "latitude",
    "longitude",
    "population_total",
    "population_elderly",
    "population_children_0_6",
    "population_children_7_14",
    "population_disabled",
)
_GROUP_FIELDS = {
    str(TargetGroup.ALL): ("population_total",),
    str(TargetGroup.ELDERLY): ("population_elderly",),
    str(TargetGroup.CHILDREN): ("population_children_0_6", "population_children_7_14"),
    str(TargetGroup.DISABLED): ("population_disabled",),
}


def _residents(row: dict, group: str) -> int | None:
    parts = [row[name] for name in _GROUP_FIELDS[group]]
    return None if all(part is None for part in parts) else sum(part or 0 for part in parts)


def _shares(figures: Sequence[int | None]) -> list[float] | None:
    """Each figure's fraction of their sum; None unless every figure is known and one is > 0."""
    if any(figure is None for figure in figures) or sum(figures) <= 0:
        return None
    total = sum(figures)
    return [figure / total for figure in figures]


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
            capacity=to_float(r["daily_capacity"]),
            floor_area=to_float(r["floor_area_m2"]),
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
                capacity=to_float(a.daily_capacity),
                floor_area=to_float(a.floor_area_m2),
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


def scenario_inputs(
    scenario: Scenario, service_types: Sequence[ServiceType] | None = None
) -> PlanInputs:
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


# --- Arrays for siting ---------------------------------------------------------------------------


def demand_points(inputs: PlanInputs, service_type: ServiceType) -> DemandPoints:
    """The demand of one service at the plan's demand points, with each group's population.

    An area's demand is spread over its points by the share of the service's target group
    that lives at each (a day-care centre's demand sits where the elderly live), and each
    group's population by that group's share.
    """
    pts = inputs.points
    area_demand = np.array([r.demand for r in inputs.demand_rows(service_type)], dtype=float)
    where = pts.area_index
    return DemandPoints(
        ids=range(len(pts.lat)),
        lat=pts.lat,
        lng=pts.lng,
        weight=area_demand[where] * pts.group_share[group_of(service_type)],
        groups={g: pop[where] * pts.group_share[g] for g, pop in inputs.populations.items()},
    )


def measured_demand(scenario: Scenario, service_type: ServiceType) -> float:
    """The demand for one service over the scenario's areas: 0 when no survey measured it."""
    inputs = scenario_inputs(scenario, [service_type])
    return float(sum(row.demand for row in inputs.demand_rows(service_type)))


def provider_facilities(providers: Sequence[Provider]) -> Facilities:
    """The providers of one service as facilities (no capacity: NaN)."""
    return Facilities(
        ids=[p.site_id for p in providers],
        lat=np.array([p.lat for p in providers], dtype=float),
        lng=np.array([p.lng for p in providers], dtype=float),
        capacity=np.array(
            [np.nan if p.capacity is None else p.capacity for p in providers], dtype=float
        ),
    )


def site_facilities(sites: Sequence[Site]) -> Facilities:
    """Sites as candidate facilities, in the given order."""
    return Facilities(
        ids=[s.pk for s in sites],
        lat=np.array([float(s.latitude) for s in sites], dtype=float),
        lng=np.array([float(s.longitude) for s in sites], dtype=float),
    )


# --- Results back into rows ---------------------------------------------------------------------


def to_float(value) -> float | None:
    return None if value is None else float(value)


def clean_float(value: float | None, digits: int = 4) -> float | None:
    """A JSON-safe float: None for NaN and infinities."""
    if value is None:
        return None
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


def json_floats(values: np.ndarray, digits: int) -> list[float | None]:
    """Rounded floats for JSON, None where not finite."""
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    rounded = np.round(np.where(finite, values, 0.0), digits).tolist()
    return [v if ok else None for v, ok in zip(rounded, finite.tolist(), strict=True)]


# --- Sites a plan may choose from ---------------------------------------------------------------


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


def placements(scenario: Scenario, pool: Sequence[Site]) -> dict[int, dict[int, float]]:
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
