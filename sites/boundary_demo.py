"""Demo data of where things are: the street's outline, the areas' boundaries and a walking
network, all illustrative (approximate, drawn for the demo; sites/demo_data/).

Idempotent, and it never overwrites real data: the outline is written only while the street
has none or the demo's; an area gets a boundary only while it has none; the demo network is
imported only while no network is active or the active one is an older demo network.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from sites import services
from sites.models import Area
from sites.network import import_network, walking_model
from sites.street import Street
from siting.boundaries import voronoi_cells

DATA = Path(__file__).resolve().parent / "demo_data"
OUTLINE_FILE = DATA / "fenglin_street.geojson"
NETWORK_FILE = DATA / "fenglin_network.geojson"
NETWORK_NAME = "枫林街道示意路网"


def outline() -> dict:
    return json.loads(OUTLINE_FILE.read_text("utf-8"))["geometry"]


def load(*, stdout, areas: Sequence[Area] = ()) -> Sequence[Area]:
    """Load the outline, boundaries for ``areas`` (the demo's, with their centres) and the
    network; returns ``areas``, their boundaries filled in."""
    street = _load_street()
    drawn = _load_boundaries(areas, street.boundary) if street.illustrative else 0
    network = _load_network()
    stdout.write(
        f"Boundaries: street outline {street.name}, {drawn} area boundaries drawn, "
        f"walking network: {network}; all illustrative."
    )
    return areas


def _load_street() -> Street:
    data = json.loads(OUTLINE_FILE.read_text("utf-8"))
    name, boundary = data["properties"]["name"], data["geometry"]
    street = Street.objects.first()
    if street is None:
        street = Street(name=name, boundary=boundary, illustrative=True)
    elif not street.illustrative or (street.name, street.boundary) == (name, boundary):
        return street  # a real outline, or the demo's as it is
    street.name, street.boundary = name, boundary
    street.full_clean()
    street.save()
    return street


def _load_boundaries(areas: Sequence[Area], outline_geojson: dict) -> int:
    """Each demo area without a boundary gets its Voronoi cell among all the demo areas'
    centres, clipped to the outline: they tile the street without overlapping."""
    if not areas:
        return 0
    cells = voronoi_cells(
        outline_geojson, [(float(a.centroid_lat), float(a.centroid_lng)) for a in areas]
    )
    drawn = 0
    for area, cell in zip(areas, cells, strict=True):
        if area.boundary or not area.illustrative:
            continue
        area.boundary = cell
        area.full_clean()
        services.save_area(area=area)
        drawn += 1
    return drawn


def _load_network() -> str:
    active = walking_model()
    if active.on_network and not (active.illustrative and active.name == NETWORK_NAME):
        return f"{active.label} kept"
    if active.on_network:
        preview = import_network(
            path=NETWORK_FILE, name=NETWORK_NAME, illustrative=True, activate=False
        )
        if preview.identical:
            return f"{active.label} unchanged"
    stored = import_network(
        path=NETWORK_FILE, name=NETWORK_NAME, illustrative=True, activate=True
    ).stored
    return f"{stored.name} v{stored.pk}, {stored.segment_count} segments"
