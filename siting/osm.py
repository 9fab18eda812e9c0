"""The walkable ways of an OpenStreetMap extract (.osm XML or .osm.pbf), read with pyosmium.

The rule (:func:`is_walkable`), on a way's tags:

1. ``highway`` is one of footway, path, pedestrian, steps, living_street, residential, service,
   unclassified, tertiary, secondary, primary, trunk, motorway (or a ``_link`` of the last
   five); any other highway (cycleway, track, bridleway ...) counts only where ``foot`` is
   yes, designated or permissive. Planned, proposed or demolished ways never count.
2. ``foot=no`` (or ``foot=use_sidepath``: pedestrians take the separately mapped path) takes the
   way out; so does ``access=no``, unless ``foot`` is yes, designated or permissive.
3. motorway and trunk (and their links) count only where ``foot`` is yes, designated or
   permissive, or where a sidewalk is tagged on the way (``sidewalk`` = yes, both, left or
   right, or ``sidewalk:both|left|right=yes``). ``sidewalk=separate`` means the sidewalk is a way
   of its own, which the rule keeps as a footway.

Pedestrian areas (``area=yes``) are walked along their outline. A way whose nodes are missing
from the extract (cut at its edge) is kept in the pieces whose nodes are there.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import osmium

from .network import NetworkError

WALKABLE_HIGHWAYS = frozenset(
    {
        "footway",
        "path",
        "pedestrian",
        "steps",
        "living_street",
        "residential",
        "service",
        "unclassified",
        "tertiary",
        "tertiary_link",
        "secondary",
        "secondary_link",
        "primary",
        "primary_link",
        "trunk",
        "trunk_link",
        "motorway",
        "motorway_link",
    }
)
MOTOR_ROADS = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})
NEVER = frozenset({"proposed", "planned", "construction", "abandoned", "razed", "disused"})
FOOT_ALLOWED = frozenset({"yes", "designated", "permissive"})
FOOT_FORBIDDEN = frozenset({"no", "use_sidepath"})
SIDEWALK_ON_WAY = frozenset({"yes", "both", "left", "right"})


def is_walkable(tags: Mapping[str, str]) -> bool:
    """Whether a way with these tags is walked on (the rule in the module's docstring)."""
    highway = tags.get("highway")
    foot = tags.get("foot")
    if highway is None or highway in NEVER or foot in FOOT_FORBIDDEN:
        return False
    if highway not in WALKABLE_HIGHWAYS and foot not in FOOT_ALLOWED:
        return False
    if tags.get("access") == "no" and foot not in FOOT_ALLOWED:
        return False
    if highway in MOTOR_ROADS:
        return foot in FOOT_ALLOWED or _has_sidewalk(tags)
    return True


def _has_sidewalk(tags: Mapping[str, str]) -> bool:
    return tags.get("sidewalk") in SIDEWALK_ON_WAY or any(
        tags.get(f"sidewalk:{side}") == "yes" for side in ("both", "left", "right")
    )


def read_osm_lines(path: str | Path) -> list[list[tuple[float, float]]]:
    """The walkable ways of an extract as lines of ``(lng, lat)`` vertices."""
    return [line for _, line in read_osm_ways(path)]


def read_osm_ways(path: str | Path) -> list[tuple[int, list[tuple[float, float]]]]:
    """``(way id, line)`` for every walkable way (a way cut by the extract's edge may give
    several lines). Raises :class:`~siting.network.NetworkError` with one line."""
    path = Path(path)
    if not path.exists():
        raise NetworkError(f"{path}: no such file")
    if path.is_dir():
        raise NetworkError(f"{path}: is a directory")
    ways: list[tuple[int, list[tuple[float, float]]]] = []
    try:
        # Locations are taken from every node before the filters drop the nodes.
        processor = (
            osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for way in processor:
            if not is_walkable(way.tags):
                continue
            line: list[tuple[float, float]] = []
            for node in way.nodes:
                location = node.location
                if location.valid():
                    line.append((location.lon, location.lat))
                    continue
                if len(line) >= 2:
                    ways.append((way.id, line))
                line = []
            if len(line) >= 2:
                ways.append((way.id, line))
    except RuntimeError as exc:  # libosmium's parse errors
        message = (str(exc).strip().splitlines() or ["unknown error"])[0]
        raise NetworkError(f"{path}: cannot read as OpenStreetMap: {message}") from None
    if not ways:
        raise NetworkError(f"{path}: no walkable ways (footway, residential, ... see siting.osm)")
    return ways
