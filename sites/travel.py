"""Travel times between places and sites: measured once per change, then read from the cache.

Every page that says how far a site is reads :func:`travel_times`: the walks from some points
(demand points, area centres, a resident's pin) to every site of the register, up to
:data:`REACH_LIMIT_M`, measured by :func:`sites.network.walking_pairs` (the street network, or
the straight line × the detour factor where none is loaded) and kept in the shared cache under a
digest of the model, the points and the sites. Any change of network, sites or points gives a new
key, so a cached matrix is never stale; a background task (``scenarios.tasks.warm_travel_times``)
measures the plans' matrices after each change so that pages find them ready.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from django.db.models import Max
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import csr_array

from fenglin.cache import remember
from sites.models import Area, ServiceType, Site
from sites.network import WalkingModel, walking_model, walking_pairs
from siting.walks import columns, walk_matrix

# How far walks from the areas' centres are measured (25 or so points): beyond any threshold of
# the catalogue, with room for "the nearest site is 1,400 m away". Walks from the demand points
# (thousands) are measured as far as the largest threshold of the catalogue (Register.reach_m):
# enough to say who is covered, and the pairs stay few at city scale. Farther counts as out of
# reach.
REACH_LIMIT_M = 2000.0
DEFAULT_REACH_M = 1000.0  # the 15-minute life circle's distance, when no service has a threshold

# Keyed by content: any lifetime is correct; this one bounds memory.
CACHE_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class TravelTimes:
    """Walking metres from points to sites (a sparse points × sites matrix, pairs within
    ``limit_m`` only) and the model that measured them."""

    walks: csr_array
    site_ids: tuple[int, ...]
    model: WalkingModel
    limit_m: float

    def for_sites(self, site_ids: ArrayLike) -> csr_array:
        """The walks to the given sites, as columns in that order."""
        position = {site_id: i for i, site_id in enumerate(self.site_ids)}
        return columns(self.walks, [position[int(site_id)] for site_id in site_ids])


def site_positions() -> tuple[tuple[int, ...], NDArray]:
    """Every site of the register (any status: a plan may add a candidate or reopen one), by id."""
    rows = list(Site.objects.order_by("pk").values_list("pk", "latitude", "longitude"))
    ids = tuple(pk for pk, _lat, _lng in rows)
    positions = np.array([[float(lat), float(lng)] for _pk, lat, lng in rows], dtype=float)
    return ids, positions.reshape(-1, 2)


@dataclass(frozen=True)
class Register:
    """What a set of walks is measured on: the sites' positions, the walking model and how far
    to measure from demand points (the catalogue's largest threshold), read once (three small
    queries) and shared by every matrix of one page or plan."""

    site_ids: tuple[int, ...]
    positions: NDArray
    model: WalkingModel
    reach_m: float = DEFAULT_REACH_M

    @classmethod
    def now(cls) -> Register:
        site_ids, positions = site_positions()
        largest = ServiceType.objects.with_standard().aggregate(m=Max("threshold_m"))["m"]
        return cls(site_ids, positions, walking_model(), float(largest or DEFAULT_REACH_M))


def travel_times(
    points: ArrayLike, *, limit_m: float | None = None, register: Register | None = None
) -> TravelTimes:
    """The walks from ``points`` (``(lat, lng)`` pairs) to every site within ``limit_m``
    (default: the register's reach, the catalogue's largest threshold).

    Three small queries unless ``register`` is given, and, when the cache has the matrix, no
    measuring at all.
    """
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    register = register or Register.now()
    limit_m = register.reach_m if limit_m is None else limit_m
    site_ids, sites, model = register.site_ids, register.positions, register.model
    digest = hashlib.sha256()
    for part in (model.key.encode(), repr(float(limit_m)).encode(), points.tobytes()):
        digest.update(part)
    digest.update(np.asarray(site_ids, dtype=np.int64).tobytes())
    digest.update(sites.tobytes())

    def measure() -> tuple[csr_array, WalkingModel]:
        found = walking_pairs(points, sites, limit_m, model=model)
        matrix = walk_matrix(
            found.pairs.point, found.pairs.site, found.pairs.metres, len(points), len(site_ids)
        )
        return matrix, found.model

    walks, measured_by = remember(
        f"sites:travel:{digest.hexdigest()}",
        measure,
        timeout=CACHE_SECONDS,
        purpose="travel times",
    )
    return TravelTimes(walks=walks, site_ids=site_ids, model=measured_by, limit_m=limit_m)


def area_centres() -> tuple[list[int], NDArray]:
    """Every area's id and centre, in the areas' order (the order the plans read them in)."""
    rows = list(Area.objects.values_list("pk", "centroid_lat", "centroid_lng"))
    centres = np.array([[float(lat), float(lng)] for _pk, lat, lng in rows], dtype=float)
    return [pk for pk, _lat, _lng in rows], centres.reshape(-1, 2)


def centre_travel_times(
    register: Register | None = None, centres: ArrayLike | None = None
) -> TravelTimes:
    """The walks from every area's centre to every site: the gap matrix's, the area pages' and
    the reviews' figures, one cached matrix for all of them. ``centres``: every area's centre in
    the areas' order, when already read."""
    if centres is None:
        _ids, centres = area_centres()
    register = register or Register.now()
    return travel_times(centres, register=register, limit_m=max(REACH_LIMIT_M, register.reach_m))


def walks_from_centre(area: Area, site_ids: ArrayLike) -> tuple[NDArray, WalkingModel]:
    """Walking metres from an area's centre to each of ``site_ids`` (``inf`` beyond the limit)."""
    area_ids, centres = area_centres()
    times = centre_travel_times(centres=centres)
    metres = np.full(len(site_ids), np.inf)
    if len(site_ids):
        walks = times.for_sites(site_ids)
        row = walks[[area_ids.index(area.pk)]].tocoo()
        metres[row.col] = row.data
    return metres, times.model


def walks_between(
    origin: ArrayLike, places: ArrayLike, *, limit_m: float = REACH_LIMIT_M
) -> tuple[NDArray, WalkingModel]:
    """Walking metres from one point to each of ``places`` (``(lat, lng)`` pairs), ``inf`` beyond
    ``limit_m``: one resident's pin, or places that are not sites (area centres)."""
    places = np.asarray(places, dtype=float).reshape(-1, 2)
    found = walking_pairs(np.asarray(origin, dtype=float).reshape(1, 2), places, limit_m)
    metres = np.full(len(places), np.inf)
    metres[found.pairs.site] = found.pairs.metres
    return metres, found.model


def leg_walks(
    stops: ArrayLike, *, model: WalkingModel | None = None
) -> tuple[NDArray, WalkingModel]:
    """Walking metres of each leg between consecutive stops (``(lat, lng)`` pairs) of a route.

    A leg is measured up to ``LEG_LIMIT_M``; a longer one (a route is a stroll, not a trek) is
    ``inf``.
    """
    stops = np.asarray(stops, dtype=float).reshape(-1, 2)
    model = model or walking_model()
    if len(stops) < 2:
        return np.zeros(0), model
    found = walking_pairs(stops[:-1], stops[1:], LEG_LIMIT_M, model=model)
    legs = np.full(len(stops) - 1, np.inf)
    same = found.pairs.point == found.pairs.site  # leg i runs from stop i to stop i + 1
    legs[found.pairs.point[same]] = found.pairs.metres[same]
    return legs, found.model


LEG_LIMIT_M = 5000.0
