"""Reads for the residents' pages: the services nearest a point and the curated walks.

Walking distance is the one walking model of the app (:mod:`sites.travel`: on the street
network, or the straight line × the detour factor where none is loaded), the same figures as the
planning pages; minutes assume an adult's pace (:mod:`siting.constants`). Both are shown on the
pages so a resident knows what "10 minutes" means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import numpy as np
from django.db.models import Prefetch
from django.urls import reverse

from sites.models import Area, RouteStop, ServiceType, Site, SiteService, WalkingRoute
from sites.network import WalkingModel
from sites.travel import leg_walks, walks_between
from siting.constants import WALKING_SPEED_M_PER_MIN
from siting.geometry import walking_m

MINUTE_BANDS = (5, 10, 15)
NEAREST_PER_SERVICE = 3
# How far the residents' page measures walks: the whole street and well beyond, so that a
# service with no site within 15 minutes still shows its nearest one.
RESIDENT_REACH_M = 5000.0


def walking_minutes(walk_m: float) -> float:
    return walk_m / WALKING_SPEED_M_PER_MIN


def minute_band(minutes: float) -> int | None:
    """The smallest of 5, 10 and 15 minutes that the walk fits in, or None beyond 15."""
    for band in MINUTE_BANDS:
        if minutes <= band:
            return band
    return None


@dataclass(frozen=True)
class Origin:
    """Where the resident stands: a dropped pin, the centre of their neighbourhood or a place
    they searched for (``name`` says which place)."""

    lat: float
    lng: float
    area: Area | None = None
    name: str = ""


@dataclass(frozen=True)
class NearbySite:
    offer: SiteService  # with its site selected
    walk_m: float

    @property
    def site(self) -> Site:
        return self.offer.site

    @property
    def minutes(self) -> int:
        # Rounded up: "within 5 minutes" must not include a walk of 5.4.
        return int(np.ceil(walking_minutes(self.walk_m) - 1e-9))

    @property
    def band(self) -> int | None:
        return minute_band(self.minutes)


@dataclass
class ServiceNearby:
    service_type: ServiceType
    nearest: list[NearbySite] = field(default_factory=list)

    @property
    def band(self) -> int | None:
        return self.nearest[0].band if self.nearest else None


def operating_offers() -> list[SiteService]:
    """Every active service running today at an operating site, in one query."""
    return list(
        SiteService.objects.operating()
        .filter(service_type__active=True)
        .select_related("site", "service_type")
        .order_by("service_type__order", "service_type__code", "site__name", "pk")
    )


def nearest_services(
    origin: Origin, offers: list[SiteService], *, per_service: int = NEAREST_PER_SERVICE
) -> list[ServiceNearby]:
    """For each service offered, its nearest sites from the origin by walking distance.

    Services come in catalogue order; within a service the nearest first (ties by site name).
    """
    if not offers:
        return []
    lat = np.array([float(o.site.latitude) for o in offers])
    lng = np.array([float(o.site.longitude) for o in offers])
    walk, _model = walks_between(
        (origin.lat, origin.lng), np.column_stack([lat, lng]), limit_m=RESIDENT_REACH_M
    )
    by_service: dict[int, ServiceNearby] = {}
    for offer, walk_m in zip(offers, walk, strict=True):
        if not np.isfinite(walk_m):
            continue  # too far to measure (RESIDENT_REACH_M)
        group = by_service.setdefault(offer.service_type_id, ServiceNearby(offer.service_type))
        group.nearest.append(NearbySite(offer=offer, walk_m=float(walk_m)))
    for group in by_service.values():
        group.nearest.sort(key=lambda n: (n.walk_m, n.site.name))
        del group.nearest[per_service:]
    return list(by_service.values())


@dataclass
class PlaceNearby:
    """One site within reach, with every service it runs (in the filtered category)."""

    site: Site
    walk_m: float
    offers: list[SiteService] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return int(np.ceil(walking_minutes(self.walk_m) - 1e-9))

    @property
    def band(self) -> int | None:
        return minute_band(self.minutes)

    @property
    def maps(self) -> dict[str, str]:
        return maps_links(self.site)


@dataclass
class PlacesNearby:
    """The answer to "what is within N minutes of me": the sites in reach, nearest first, and
    the services that have no site in reach, each with its nearest site."""

    places: list[PlaceNearby]
    beyond: list[NearbySite]
    within_minutes: int

    @property
    def service_count(self) -> int:
        return len({o.service_type_id for place in self.places for o in place.offers})


def maps_links(site: Site) -> dict[str, str]:
    """Links that open the site in a maps app: the phone's own (``geo:``, RFC 5870) and Amap,
    whose marker page takes WGS-84 with ``coordinate=wgs84``."""
    lat, lng = f"{float(site.latitude):.6f}", f"{float(site.longitude):.6f}"
    amap = urlencode(
        {"position": f"{lng},{lat}", "name": site.name, "coordinate": "wgs84"}, safe=","
    )
    return {
        "geo": f"geo:{lat},{lng}?q={lat},{lng}({quote(site.name)})",
        "amap": f"https://uri.amap.com/marker?{amap}",
    }


def walks_to_sites(origin: Origin, sites: list[Site]) -> dict[int, float]:
    """Walking metres from the origin to each site (the one walking model), by site id; sites
    further than RESIDENT_REACH_M are left out."""
    if not sites:
        return {}
    points = np.array([[float(s.latitude), float(s.longitude)] for s in sites])
    walk, _model = walks_between((origin.lat, origin.lng), points, limit_m=RESIDENT_REACH_M)
    return {s.pk: float(m) for s, m in zip(sites, walk, strict=True) if np.isfinite(m)}


def places_nearby(
    origin: Origin,
    offers: list[SiteService],
    *,
    within_minutes: int = MINUTE_BANDS[-1],
    category: str = "",
) -> PlacesNearby:
    """The sites within ``within_minutes`` on foot, one entry per site with its services, nearest
    first; and, in catalogue order, each service with no site that near and its nearest site.

    ``category`` ("" for all) keeps only the services of one catalogue category.
    """
    if category:
        offers = [o for o in offers if o.service_type.category == category]
    sites = list({o.site_id: o.site for o in offers}.values())
    walks = walks_to_sites(origin, sites)
    places: dict[int, PlaceNearby] = {}
    nearest: dict[int, NearbySite] = {}
    for offer in offers:
        walk_m = walks.get(offer.site_id)
        if walk_m is None:
            continue
        here = NearbySite(offer=offer, walk_m=walk_m)
        if here.minutes <= within_minutes:
            place = places.setdefault(offer.site_id, PlaceNearby(offer.site, walk_m))
            place.offers.append(offer)
        best = nearest.get(offer.service_type_id)
        if best is None or (walk_m, offer.site.name) < (best.walk_m, best.site.name):
            nearest[offer.service_type_id] = here
    served = {o.service_type_id for place in places.values() for o in place.offers}
    beyond = [n for type_id, n in nearest.items() if type_id not in served]
    beyond.sort(key=lambda n: (n.offer.service_type.order, n.offer.service_type.code))
    ordered = sorted(places.values(), key=lambda p: (p.walk_m, p.site.name))
    return PlacesNearby(places=ordered, beyond=beyond, within_minutes=within_minutes)


def operating_site(pk: int) -> Site | None:
    """An operating site with its running services, for its public page; None for any other
    (a candidate or a closed site has no public page)."""
    return (
        Site.objects.operating()
        .filter(pk=pk)
        .prefetch_related(
            Prefetch(
                "services",
                queryset=SiteService.objects.operating()
                .filter(service_type__active=True)
                .select_related("service_type")
                .order_by("service_type__order", "service_type__code"),
                to_attr="running",
            )
        )
        .first()
    )


def sites_on_map(offers: list[SiteService]) -> list[dict]:
    """The operating sites that offer services, with their services as the popup label."""
    sites: dict[int, dict] = {}
    for offer in offers:
        site = offer.site
        entry = sites.setdefault(
            site.pk,
            {
                "name": site.display_name,
                "lat": float(site.latitude),
                "lng": float(site.longitude),
                "status": site.status,
                "url": reverse("public_site", args=[site.pk]),
                "services": [],
            },
        )
        entry["services"].append(offer.service_type.name)
    for entry in sites.values():
        entry["label"] = " · ".join(entry.pop("services"))
    return list(sites.values())


# --- Walking routes ------------------------------------------------------------------------


@dataclass(frozen=True)
class StopOnRoute:
    stop: RouteStop
    leg_m: float  # walking distance from the previous stop (0 for the first)
    total_m: float  # walking distance from the start

    @property
    def leg_minutes(self) -> int:
        return round(walking_minutes(self.leg_m))


@dataclass(frozen=True)
class RouteSummary:
    route: WalkingRoute
    stops: list[StopOnRoute]

    @property
    def length_m(self) -> float:
        return self.stops[-1].total_m if self.stops else 0.0

    @property
    def length_km(self) -> float:
        return self.length_m / 1000

    @property
    def minutes(self) -> int:
        return round(walking_minutes(self.length_m))


def summarise_route(route: WalkingRoute, model: WalkingModel | None = None) -> RouteSummary:
    """The route's stops in order with the walking distance of each leg (the one walking model;
    a leg the network cannot join within its limit falls back to the straight line × detour)."""
    stops = sorted(route.stops.all(), key=lambda s: s.order)
    if not stops:
        return RouteSummary(route, [])
    lat = np.array([float(s.latitude) for s in stops])
    lng = np.array([float(s.longitude) for s in stops])
    measured, _model = leg_walks(np.column_stack([lat, lng]), model=model)
    fallback = walking_m(lat[:-1], lng[:-1], lat[1:], lng[1:])
    legs = np.concatenate([[0.0], np.where(np.isfinite(measured), measured, fallback)])
    totals = np.cumsum(legs)
    return RouteSummary(
        route,
        [
            StopOnRoute(stop, float(leg), float(total))
            for stop, leg, total in zip(stops, legs, totals, strict=True)
        ],
    )


def published_routes():
    """Published routes with their stops (two queries whatever the number of routes)."""
    return WalkingRoute.objects.filter(published=True).prefetch_related(
        Prefetch("stops", queryset=RouteStop.objects.order_by("order"))
    )
