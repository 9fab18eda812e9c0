"""Boundaries for tests: rectangles given in metres east and north of a corner of the street,
the street's outline, and GeoJSON files of boundaries to upload."""

import json
import math
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from sites.street import Street
from siting.geometry import EARTH_RADIUS_M

LAT0, LNG0 = 31.185, 121.445
M_PER_DEG_LAT = math.radians(1) * EARTH_RADIUS_M
M_PER_DEG_LNG = M_PER_DEG_LAT * math.cos(math.radians(LAT0))


def box(x0: float, y0: float, x1: float, y1: float) -> dict:
    """A GeoJSON rectangle from (x0, y0) to (x1, y1) metres east and north of (LAT0, LNG0)."""

    def corner(x, y):
        return [round(LNG0 + x / M_PER_DEG_LNG, 7), round(LAT0 + y / M_PER_DEG_LAT, 7)]

    ring = [corner(x0, y0), corner(x1, y0), corner(x1, y1), corner(x0, y1), corner(x0, y0)]
    return {"type": "Polygon", "coordinates": [ring]}


def point(x: float, y: float) -> tuple[Decimal, Decimal]:
    """(latitude, longitude) of the point x metres east and y north of (LAT0, LNG0)."""
    return (
        Decimal(f"{LAT0 + y / M_PER_DEG_LAT:.6f}"),
        Decimal(f"{LNG0 + x / M_PER_DEG_LNG:.6f}"),
    )


def make_street(outline: dict | None = None, **kwargs) -> Street:
    """The street, 1 km square unless told otherwise."""
    return Street.objects.create(
        name=kwargs.pop("name", "Test street"), boundary=outline or box(0, 0, 1000, 1000), **kwargs
    )


def geojson_upload(features: list[dict], name: str = "boundaries.geojson") -> SimpleUploadedFile:
    collection = {"type": "FeatureCollection", "features": features}
    return SimpleUploadedFile(name, json.dumps(collection).encode("utf-8"))


def feature(geometry: dict | None, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}
