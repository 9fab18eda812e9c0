"""How far a resident reaches on foot in 5, 10 and 15 minutes, as areas a map can shade.

On the active walking network these are network service areas (:mod:`siting.service_areas`):
the streets within the walk, not a circle across rivers and railways. With no network loaded a
walk is the straight line × the detour factor, so the areas are circles, and the properties say
so. Cached per model, origin (rounded to about a metre) and speed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import shapely

from fenglin.cache import remember
from sites.network import STRAIGHT_LINE, active_network, walking_model
from siting.constants import DETOUR_FACTOR, WALKING_SPEED_M_PER_MIN
from siting.service_areas import service_areas, straight_line_areas

MINUTES = (5, 10, 15)
CACHE_SECONDS = 24 * 60 * 60


def reach_areas(
    lat: float,
    lng: float,
    minutes: Sequence[int] = MINUTES,
    speed: float = WALKING_SPEED_M_PER_MIN,
) -> dict:
    """A GeoJSON FeatureCollection: for each number of minutes (longest first, so that the
    shortest is drawn on top) the area a walk at ``speed`` metres a minute reaches.

    Each feature's properties: ``minutes`` and ``metres``. The collection's: ``on_network``
    and ``model``, the walking model's label in the active language.
    """
    model = walking_model()
    minutes = sorted({int(m) for m in minutes}, reverse=True)
    bands = "-".join(map(str, minutes))
    key = f"sites:reach:{model.key}:{lat:.5f}:{lng:.5f}:{float(speed)!r}:{bands}"

    def compute() -> dict:
        metres = [m * float(speed) for m in minutes]
        network = active_network() if model.on_network else None
        if network is None:
            areas = straight_line_areas(lat, lng, metres, detour=DETOUR_FACTOR)
        else:
            areas = service_areas(network, lat, lng, metres)
        features = [
            {
                "type": "Feature",
                "geometry": json.loads(shapely.to_geojson(shapely.set_precision(area, 1e-6))),
                "properties": {"minutes": m, "metres": round(d)},
            }
            for m, d, area in zip(minutes, metres, areas, strict=True)
        ]
        return {
            "type": "FeatureCollection",
            "features": features,
            "on_network": network is not None,
        }

    areas = remember(key, compute, timeout=CACHE_SECONDS, purpose="reach areas")
    label = model.label if areas["on_network"] else STRAIGHT_LINE.label
    return {**areas, "model": label}
