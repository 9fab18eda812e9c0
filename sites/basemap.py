"""The app's own base map: the loaded walking network and the neighbourhood boundaries.

Tile servers are often out of reach for residents in mainland China; every map draws this layer
beneath its markers (static/js/map.js), so that it still shows streets and named areas when no
tile loads. One public GeoJSON document, ``/map/base.json``:

- the active network's segments merged into one polyline per chain (coordinates rounded to six
  decimals, about 10 cm), as one MultiLineString feature (``kind`` "streets");
- each area's boundary with its name (``kind`` "area"; its centre is where the name goes), or
  only its centre where it has no boundary (``kind`` "centre");
- ``model`` (the walking model's label, as the pages say it), ``illustrative``, and the map's
  own words (``labels``) in the visitor's language.

Two small queries (the active model, the areas); the document itself is cached under a digest
of everything in it, which is also its ETag, so a browser asking again gets a 304.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
import shapely
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import get_language, gettext
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from fenglin.cache import remember
from sites.models import Area, WalkingNetwork
from sites.network import WalkingModel, walking_model
from siting.constants import DETOUR_FACTOR

CACHE_SECONDS = 24 * 60 * 60  # content-addressed keys: never stale, only evicted
BROWSER_SECONDS = 5 * 60  # a browser reuses its copy this long, then asks with its ETag


@dataclass(frozen=True)
class BaseLayer:
    """The base layer's inputs, read in two queries; :meth:`json` builds (or finds) the
    document."""

    model: WalkingModel
    areas: list[dict]
    etag: str

    def json(self) -> str:
        return remember(
            f"sites:basemap:{self.etag}",
            self._build,
            timeout=CACHE_SECONDS,
            purpose="base map",
        )

    def _build(self) -> str:
        streets = street_lines(self.model)
        features = [] if streets is None else [streets]
        document = {
            "type": "FeatureCollection",
            "features": features + self.areas,
            "model": self.model.label,
            "on_network": self.model.on_network,
            "illustrative": self.model.illustrative,
            "labels": _labels(self.model, self.areas),
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def base_layer() -> BaseLayer:
    """The active walking model and the areas, and the digest the document is known by."""
    model = walking_model()
    areas = _area_features()
    digest = hashlib.sha256(
        json.dumps([model.key, get_language(), areas], sort_keys=True).encode()
    ).hexdigest()
    return BaseLayer(model=model, areas=areas, etag=digest[:32])


def street_lines(model: WalkingModel) -> dict | None:
    """The network's segments merged into chains: one GeoJSON MultiLineString feature, cached
    per network version (the merge takes a while at city scale)."""
    if not model.on_network:
        return None
    return remember(
        f"sites:basemap:streets:{model.key}",
        lambda: _merged_lines(model),
        timeout=CACHE_SECONDS,
        purpose="base map streets",
    )


def _merged_lines(model: WalkingModel) -> dict | None:
    lines = (
        WalkingNetwork.objects.filter(pk=model.network_id).values_list("lines", flat=True).first()
    )
    if not lines:
        return None
    try:
        segments = shapely.linestrings(np.asarray(lines, dtype=float)[:, :, :2])
    except (ValueError, IndexError):  # lines of different lengths
        segments = [shapely.LineString(line) for line in lines]
    merged = shapely.line_merge(shapely.multilinestrings(segments))
    chains = shapely.get_parts(merged)
    return {
        "type": "Feature",
        "geometry": {
            "type": "MultiLineString",
            "coordinates": [
                np.round(shapely.get_coordinates(chain), 6).tolist() for chain in chains
            ],
        },
        "properties": {"kind": "streets"},
    }


def _area_features() -> list[dict]:
    features = []
    rows = Area.objects.order_by("name", "pk").values_list(
        "name", "boundary", "centroid_lat", "centroid_lng", "illustrative"
    )
    for name, boundary, lat, lng, illustrative in rows:
        centre = [float(lat), float(lng)]
        properties = {"name": name, "centre": centre, "illustrative": illustrative}
        if boundary:
            features.append(
                {
                    "type": "Feature",
                    "geometry": boundary,
                    "properties": {"kind": "area", **properties},
                }
            )
        else:
            point = {"type": "Point", "coordinates": [centre[1], centre[0]]}
            features.append(
                {
                    "type": "Feature",
                    "geometry": point,
                    "properties": {"kind": "centre", **properties},
                }
            )
    return features


def _labels(model: WalkingModel, areas: list[dict]) -> dict:
    """What the map says about this layer, in the visitor's language."""
    if model.on_network:
        legend = gettext("Streets: %(model)s") % {"model": model.label}
    else:
        legend = gettext(
            "No walking network loaded: streets are not drawn and walks are the straight line"
            " × %(factor)s"
        ) % {"factor": f"{DETOUR_FACTOR:g}"}
    if any(area["properties"]["illustrative"] for area in areas):
        legend += gettext("; neighbourhood boundaries illustrative")
    return {"layer": gettext("Streets and boundaries"), "legend": legend}


@require_safe
@gzip_page  # several MB of coordinates at city scale, a quarter of that compressed
def base_layer_json(request: HttpRequest) -> HttpResponse:
    """The base layer as GeoJSON, public (every map shows it, the residents' too)."""
    layer = base_layer()
    etag = f'"{layer.etag}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(layer.json(), content_type="application/json")
    response["ETag"] = etag
    patch_cache_control(response, max_age=BROWSER_SECONDS)
    return response
