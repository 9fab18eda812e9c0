"""Reads for the sites register: filtered lists, map data, distances and area summaries.

Distances are walks of the one walking model (:mod:`sites.travel`: the street network, or the
straight line × the detour factor where none is loaded), the same figures the planning pages
show.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db.models import F, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from fenglin.access import Scope
from fenglin.i18n import in_active_language
from sites.models import (
    HAZARD_FIELDS,
    Area,
    ResidentialPoint,
    ServiceType,
    Site,
    SiteService,
    SiteStatus,
)
from sites.travel import walks_between, walks_from_centre
from siting.areas import area_index_for_point

NEIGHBOURHOOD_RADII_M = (300, 500, 1000)


# --- Sites ---------------------------------------------------------------------------------


def visible_sites(scope: Scope) -> QuerySet[Site]:
    """The sites a user may see: committee staff only their own area's."""
    return scope.filter(Site.objects.all())


def visible_areas(scope: Scope) -> QuerySet[Area]:
    return scope.filter(Area.objects.all(), field="pk")


def filter_sites(
    sites: QuerySet[Site],
    *,
    q: str = "",
    status: str = "",
    service: ServiceType | None = None,
    area: Area | None = None,
    hazard: str = "",
    archived: bool = False,
) -> QuerySet[Site]:
    """Apply the site list's filters; empty values mean no filter.

    `hazard` is "any", "none" or one of fire / building / food. Archived sites (entered by
    mistake) are left out unless `archived` asks for them too.
    """
    if not archived:
        sites = sites.unarchived()
    if q:
        sites = sites.filter(
            Q(name__icontains=q)
            | Q(name_en__icontains=q)
            | Q(address__icontains=q)
            | Q(code__icontains=q)
        )
    if status:
        sites = sites.filter(status=status)
    if service is not None:
        # A subquery rather than a join keeps one row per site without DISTINCT.
        sites = sites.filter(pk__in=SiteService.objects.filter(service_type=service).values("site"))
    if area is not None:
        sites = sites.filter(area=area)
    if hazard == "any":
        sites = sites.hazardous()
    elif hazard == "none":
        sites = sites.without_hazards()
    elif hazard in HAZARD_FIELDS:
        sites = sites.filter(**{HAZARD_FIELDS[hazard]: True})
    return sites


def site_table(sites: QuerySet[Site]) -> QuerySet[Site]:
    """Sites with what the list table shows, in a fixed number of queries."""
    return sites.select_related("area").prefetch_related(
        Prefetch(
            "services",
            queryset=SiteService.objects.select_related("service_type").order_by(
                "service_type__order", "service_type__code"
            ),
        )
    )


def site_map_points(sites: QuerySet[Site]) -> list[dict]:
    """One small dict per site for the map, from a single query."""
    rows = sites.order_by().values_list("pk", "name", "name_en", "latitude", "longitude", "status")
    url_prefix = reverse("sites:site_detail", args=[0])[: -len("0/")]
    labels = dict(SiteStatus.choices)
    return [
        {
            "id": pk,
            "name": in_active_language(name, name_en),
            "lat": float(lat),
            "lng": float(lng),
            "status": status,
            "label": str(labels.get(status, status)),
            "url": f"{url_prefix}{pk}/",
        }
        for pk, name, name_en, lat, lng, status in rows
    ]


def site_services(site: Site) -> list[SiteService]:
    return list(
        site.services.select_related("service_type").order_by(
            "service_type__order", "service_type__code"
        )
    )


@dataclass
class NearbyArea:
    area: Area
    distance_m: float


@dataclass
class Ring:
    radius_m: int
    areas: list[NearbyArea] = field(default_factory=list)

    @property
    def population(self) -> int:
        return sum(item.area.population_total or 0 for item in self.areas)

    @property
    def elderly(self) -> int:
        return sum(item.area.population_elderly or 0 for item in self.areas)


def neighbourhoods_within(
    lat: Decimal | float,
    lng: Decimal | float,
    radii: Sequence[int] = NEIGHBOURHOOD_RADII_M,
    areas: Iterable[Area] | None = None,
) -> list[Ring]:
    """Areas whose centre lies within each walking distance of a point, nearest first.

    Walks of the one walking model (:mod:`sites.travel`) to the areas' centre points.
    """
    areas = list(Area.objects.all() if areas is None else areas)
    if not areas:
        return [Ring(radius) for radius in radii]
    centres = [[float(a.centroid_lat), float(a.centroid_lng)] for a in areas]
    distances, _model = walks_between((float(lat), float(lng)), centres)
    order = np.argsort(distances, kind="stable")
    rings = []
    for radius in radii:
        rings.append(
            Ring(
                radius,
                [
                    NearbyArea(areas[i], float(distances[i]))
                    for i in order
                    if distances[i] <= radius
                ],
            )
        )
    return rings


@dataclass
class HistoryEntry:
    when: object
    who: object
    kind: str  # "status", "fields" or "created"
    changes: list[tuple[str, object, object]] = field(default_factory=list)
    from_status: str = ""
    to_status: str = ""
    reason: str = ""


def site_history(site: Site, limit: int = 30) -> list[HistoryEntry]:
    """Status changes and field edits of a site, newest first.

    Field edits come from django-simple-history; each record is compared with the one before
    it in memory (one query for the records, none per record).
    """
    entries: list[HistoryEntry] = []
    for change in site.status_changes.select_related("changed_by")[:limit]:
        entries.append(
            HistoryEntry(
                when=change.changed_at,
                who=change.changed_by,
                kind="status",
                from_status=change.get_from_status_display(),
                to_status=change.get_to_status_display(),
                reason=change.reason,
            )
        )
    records = list(
        site.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    labels = {f.name: f.verbose_name for f in Site._meta.get_fields() if hasattr(f, "verbose_name")}
    # Status edits are already listed as status changes; timestamps change on every save.
    skip = {"status", "closed_reason", "updated_at", "created_at"}
    registered = any(entry.from_status == "" for entry in entries)
    for newer, older in zip(records, records[1:] + [None], strict=True):
        if newer is records[-1] and len(records) > limit:
            break
        if older is None:
            if registered:
                continue  # "registered as ..." already says it
            entries.append(
                HistoryEntry(when=newer.history_date, who=newer.history_user, kind="created")
            )
            continue
        delta = newer.diff_against(older)
        changes = [c for c in delta.changes if c.field not in skip]
        if changes:
            entries.append(
                HistoryEntry(
                    when=newer.history_date, who=newer.history_user, kind="fields", changes=changes
                )
            )
    # Readable values: labels for choices and yes/no, area names for area ids (one query).
    area_ids = {
        value
        for entry in entries
        for change in entry.changes
        if change.field == "area"
        for value in (change.old, change.new)
        if value is not None
    }
    area_names = dict(Area.objects.filter(pk__in=area_ids).values_list("pk", "name"))
    for entry in entries:
        entry.changes = [
            (
                labels.get(change.field, change.field),
                _readable(change.field, change.old, area_names),
                _readable(change.field, change.new, area_names),
            )
            for change in entry.changes
        ]
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def _readable(field_name: str, value, area_names: dict[int, str]):
    if value is None or value == "":
        return "–"
    if field_name == "area":
        return area_names.get(value, value)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    choices = getattr(Site._meta.get_field(field_name), "choices", None)
    return dict(choices).get(value, value) if choices else value


# --- Areas ---------------------------------------------------------------------------------


def area_for_point(
    lat: Decimal | float, lng: Decimal | float, areas: Sequence[Area] | None = None
) -> Area | None:
    """The area a site or a resident's pin is in: inside a boundary, else the nearest centre
    within 1 km among the areas without one (the rule and why:
    :func:`siting.areas.area_index_for_point`). One query, or none when ``areas`` are given
    (pass them, read once, to place many points)."""
    areas = list(Area.objects.all()) if areas is None else areas
    index = area_index_for_point(
        float(lat),
        float(lng),
        [area.boundary for area in areas],
        [float(area.centroid_lat) for area in areas],
        [float(area.centroid_lng) for area in areas],
    )
    return None if index is None else areas[index]


def area_table(areas: QuerySet[Area]) -> QuerySet[Area]:
    from django.db.models import Count

    return areas.annotate(
        site_count=Count("sites", distinct=True),
        operating_count=Count("sites", filter=Q(sites__status=SiteStatus.OPERATING), distinct=True),
    )


def area_map_points(areas: Iterable[Area]) -> list[dict]:
    return [
        {
            "name": area.display_name,
            "lat": float(area.centroid_lat),
            "lng": float(area.centroid_lng),
            "value": area.population_total or 0,
            "label": f"{area.population_total or '–'}",
            "url": area.get_absolute_url(),
        }
        for area in areas
    ]


@dataclass
class CatalogueLine:
    """One catalogue service seen from an area: offered here, and the nearest place if not."""

    service_type: ServiceType
    sites: list[Site] = field(default_factory=list)  # operating sites in the area offering it
    nearest: Site | None = None
    nearest_m: float | None = None

    @property
    def present(self) -> bool:
        return bool(self.sites)

    @property
    def nearest_within_threshold(self) -> bool:
        threshold = self.service_type.threshold_m
        return self.nearest_m is not None and threshold is not None and self.nearest_m <= threshold


def area_services(area: Area) -> tuple[list[CatalogueLine], list[CatalogueLine]]:
    """The catalogue against an area: services operating in it, and those missing.

    A service counts as present when an operating site of the area offers it operating. For a
    missing one the nearest operating site anywhere, by walking distance from the area's centre
    (the gap matrix's figure for the same area and service), says whether a neighbour's site
    covers it within the standard.
    """
    catalogue = list(ServiceType.objects.with_standard())
    offers = (
        SiteService.objects.operating()
        .filter(service_type__in=catalogue)
        .select_related("site")
        .order_by("site__name")
    )
    by_type: dict[int, list[Site]] = {}
    for offer in offers:
        by_type.setdefault(offer.service_type_id, []).append(offer.site)
    offering = sorted({site.pk for sites in by_type.values() for site in sites})
    position = {site_id: i for i, site_id in enumerate(offering)}
    walks, _model = walks_from_centre(area, offering)
    present, missing = [], []
    for service_type in catalogue:
        sites = by_type.get(service_type.pk, [])
        line = CatalogueLine(service_type, [s for s in sites if s.area_id == area.pk])
        if line.present:
            present.append(line)
            continue
        if sites:
            distances = walks[[position[s.pk] for s in sites]]
            best = int(np.argmin(distances))
            if np.isfinite(distances[best]):
                line.nearest, line.nearest_m = sites[best], float(distances[best])
        missing.append(line)
    return present, missing


def area_sites(area: Area) -> QuerySet[Site]:
    return site_table(area.sites.all())


def residential_points_for(area: Area) -> QuerySet[ResidentialPoint]:
    """An area's housing estates and buildings, the most populous first: where plans put its
    demand (scenarios.inputs.area_points)."""
    return area.residential_points.order_by(F("population_total").desc(nulls_last=True), "code")


# --- Catalogue -----------------------------------------------------------------------------


def service_type_sites(service_type: ServiceType, sites: QuerySet[Site]) -> list[SiteService]:
    """Where a service is offered or planned, among the sites a user may see."""
    return list(
        SiteService.objects.filter(service_type=service_type, site__in=sites)
        .select_related("site", "site__area")
        .order_by("site__name")
    )
