"""The walking network on the Django side: the one entry for walking distances, and its import.

Reads: :func:`active_network` is the built graph of the active version (or None) and
:func:`walking_pairs` the pairs of points and sites within a walk, measured on that network or,
where none is loaded, as the straight line × :data:`siting.constants.DETOUR_FACTOR`; it says
which model it used, so that a page can say it too.

Writes: :func:`import_network` reads a GeoJSON or OpenStreetMap file, compares it with the
active version and, when asked, stores it as a new version and activates it;
:func:`activate_network` makes a stored version the active one.

Each process keeps the graph of the active version it last built, keyed by the version's id and
digest: every call asks the database which version is active (one small query), so after an
import every process rebuilds once and none goes on measuring on an old network.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext
from numpy.typing import ArrayLike, NDArray

from sites.walking import WalkingNetwork
from siting import network as core
from siting.constants import DETOUR_FACTOR
from siting.network_changes import (
    NetworkChange,
    compare,
    lines_digest,
    network_from_stored,
    segment_lines,
)
from siting.walks import straight_line_walks

# Sent when a version becomes the active one: every walk may change (a queryset update sends no
# post_save).
network_activated = Signal()

NAME_MAX_LENGTH = WalkingNetwork._meta.get_field("name").max_length
SOURCE_MAX_LENGTH = WalkingNetwork._meta.get_field("source_name").max_length


# --- Which model measures a walk ----------------------------------------------------------


@dataclass(frozen=True)
class WalkingModel:
    """The model behind a set of walking distances: a stored network version, or the straight
    line × the detour factor (``network_id`` None)."""

    network_id: int | None = None
    name: str = ""
    digest: str = ""
    illustrative: bool = False

    @property
    def on_network(self) -> bool:
        return self.network_id is not None

    @property
    def key(self) -> str:
        """Changes whenever the distances may change: for the keys of cached results."""
        if self.network_id is None:
            return f"straight:{DETOUR_FACTOR!r}"
        return f"network:{self.network_id}:{self.digest}"

    @property
    def label(self) -> str:
        """What a page says about its distances, in the active language."""
        if self.network_id is None:
            return gettext("straight line × %(factor)s") % {"factor": f"{DETOUR_FACTOR:g}"}
        if self.illustrative:
            return gettext("network %(name)s v%(id)s (illustrative)") % {
                "name": self.name,
                "id": self.network_id,
            }
        return gettext("network %(name)s v%(id)s") % {"name": self.name, "id": self.network_id}

    def __str__(self) -> str:
        return self.label


STRAIGHT_LINE = WalkingModel()


@dataclass(frozen=True)
class WalkingPairs:
    """Point-site pairs within a walk (sorted by point then site) and the model that measured
    them."""

    pairs: core.Pairs
    model: WalkingModel


# --- The active version and its graph, per process ----------------------------------------

_lock = threading.Lock()
_built: tuple[tuple[int, str], core.WalkingNetwork] | None = None


def _active_model() -> WalkingModel:
    row = (
        WalkingNetwork.objects.active().values_list("pk", "name", "digest", "illustrative").first()
    )
    if row is None:
        return STRAIGHT_LINE
    pk, name, digest, illustrative = row
    return WalkingModel(network_id=pk, name=name, digest=digest, illustrative=illustrative)


def walking_model() -> WalkingModel:
    """The model walking distances are measured with now: the active network, else the
    straight line × the detour factor."""
    return _active_model()


def _graph(model: WalkingModel) -> core.WalkingNetwork | None:
    global _built
    if model.network_id is None:
        return None
    key = (model.network_id, model.digest)
    # One build per process and version, even when several threads ask at once.
    with _lock:
        if _built is not None and _built[0] == key:
            return _built[1]
        lines = (
            WalkingNetwork.objects.filter(pk=model.network_id)
            .values_list("lines", flat=True)
            .first()
        )
        if lines is None:  # deleted since it was read as active
            return None
        network = network_from_stored(lines)
        _built = (key, network)
        return network


def active_network() -> core.WalkingNetwork | None:
    """The built network of the active version, or None when no network is loaded."""
    return _graph(_active_model())


def walking_pairs(
    points: ArrayLike, sites: ArrayLike, max_m: float, *, model: WalkingModel | None = None
) -> WalkingPairs:
    """Every point-site pair at most ``max_m`` walking metres apart, and the model used.

    ``points`` and ``sites`` are sequences of ``(lat, lng)`` pairs (WGS-84 degrees). On the
    active network a walk is connector + network path + connector
    (:func:`siting.network.pairs_within`); with none loaded it is the straight line × the detour
    factor (:func:`siting.geometry.walking_m`). ``model``: the model already read (saves the
    query that reads which network is active). Raises ValueError for coordinates out of range or
    a distance that is not a finite number ≥ 0, and siting.geometry.TooManyPairs past its limit.
    """
    plat, plng = _lat_lng(points, "points")
    slat, slng = _lat_lng(sites, "sites")
    model = model or _active_model()
    network = _graph(model)
    if network is None:
        return WalkingPairs(_straight_line_pairs(plat, plng, slat, slng, max_m), STRAIGHT_LINE)
    return WalkingPairs(core.pairs_within(network, plat, plng, slat, slng, max_m), model)


def _lat_lng(places: ArrayLike, what: str) -> tuple[NDArray, NDArray]:
    array = np.asarray(places, dtype=float)
    if array.size == 0:
        return np.zeros(0), np.zeros(0)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"the {what} must be (latitude, longitude) pairs")
    return array[:, 0], array[:, 1]


def _straight_line_pairs(plat, plng, slat, slng, max_m: float) -> core.Pairs:
    try:
        max_m = float(max_m)
    except (TypeError, ValueError, OverflowError):
        max_m = math.nan
    if not (math.isfinite(max_m) and max_m >= 0):
        raise ValueError("the distance must be a finite number of metres ≥ 0")
    for lat, lng in ((plat, plng), (slat, slng)):
        if not ((np.abs(lat) <= 90).all() and (np.abs(lng) <= 180).all()):
            raise ValueError("a latitude or longitude is out of range")
    walks = straight_line_walks(plat, plng, slat, slng, max_m).tocoo()  # sorted by point, site
    return core.Pairs(walks.row.astype(np.int64), walks.col.astype(np.int64), walks.data)


# --- Importing and activating versions ----------------------------------------------------


@dataclass(frozen=True)
class NetworkImport:
    """An import's preview against the version active before it, and the stored version (None
    for a preview only)."""

    source_name: str
    previous: WalkingModel
    change: NetworkChange
    identical: bool  # the same segments as the active version
    stored: WalkingNetwork | None


def import_network(
    *,
    path: str | Path,
    name: str,
    illustrative: bool,
    activate: bool,
    user=None,
) -> NetworkImport:
    """Read a network file (GeoJSON or OpenStreetMap, :func:`siting.network.load_network`),
    compare it with the active version and, with ``activate``, store it as a new version and
    make it the active one; without, save nothing.

    Raises :class:`siting.network.NetworkError` for a file that cannot be read as a network and
    ValueError for a name that is empty or too long.
    """
    path = Path(path)
    name = name.strip()
    if not name:
        raise ValueError("the network needs a name")
    if len(name) > NAME_MAX_LENGTH:
        raise ValueError(f"the name is longer than {NAME_MAX_LENGTH} characters")
    # Read and built before any transaction: the slow part holds no lock.
    network = core.load_network(path)
    lines = segment_lines(network)
    digest = lines_digest(lines)
    previous = _active_model()
    change = compare(_graph(previous), network)
    identical = previous.on_network and previous.digest == digest
    stored = None
    if activate:
        stored = _store(
            name=name,
            source_name=path.name[:SOURCE_MAX_LENGTH],
            illustrative=illustrative,
            lines=lines,
            network=network,
            digest=digest,
            user=user,
        )
    return NetworkImport(path.name, previous, change, identical, stored)


@transaction.atomic
def _store(*, name, source_name, illustrative, lines, network, digest, user) -> WalkingNetwork:
    stored = WalkingNetwork.objects.create(
        name=name,
        source_name=source_name,
        illustrative=illustrative,
        lines=lines,
        segment_count=network.edge_count,
        length_m=network.length_m,
        digest=digest,
        imported_by=user if user is not None and user.is_authenticated else None,
    )
    activate_network(network=stored)
    return stored


@transaction.atomic
def activate_network(*, network: WalkingNetwork) -> None:
    """Make a stored version the active one and the one active before it inactive, together."""
    # Locking the active row makes two activations at once wait for each other instead of one
    # failing on the one-active constraint.
    list(WalkingNetwork.objects.select_for_update().active().only("pk"))
    WalkingNetwork.objects.active().exclude(pk=network.pk).update(is_active=False)
    WalkingNetwork.objects.filter(pk=network.pk).update(is_active=True)
    network.is_active = True
    network_activated.send(sender=WalkingNetwork, network=network)
