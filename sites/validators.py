"""Validators for coordinates and neighbourhood boundaries."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def validate_latitude_in_region(value: Decimal) -> None:
    region = settings.SITE_REGION
    if value is not None and not region["min_lat"] <= float(value) <= region["max_lat"]:
        raise ValidationError(
            _("Latitude %(value)s lies outside the planning region (%(low)s–%(high)s)."),
            code="out_of_region",
            params={"value": value, "low": region["min_lat"], "high": region["max_lat"]},
        )


def validate_longitude_in_region(value: Decimal) -> None:
    region = settings.SITE_REGION
    if value is not None and not region["min_lng"] <= float(value) <= region["max_lng"]:
        raise ValidationError(
            _("Longitude %(value)s lies outside the planning region (%(low)s–%(high)s)."),
            code="out_of_region",
            params={"value": value, "low": region["min_lng"], "high": region["max_lng"]},
        )


def validate_polygon_geojson(value) -> None:
    """A GeoJSON Polygon (or MultiPolygon) in WGS-84 that shapely finds valid."""
    if value in (None, "", {}):
        return
    from shapely.geometry import shape
    from shapely.validation import explain_validity

    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(
            _("The boundary must be a GeoJSON Polygon or MultiPolygon."), code="not_polygon"
        )
    try:
        geometry = shape(value)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise ValidationError(
            _("The boundary's coordinates are malformed: %(error)s"),
            code="malformed",
            params={"error": str(exc)[:200]},
        ) from exc
    if geometry.is_empty:
        raise ValidationError(_("The boundary is empty."), code="empty")
    if not geometry.is_valid:
        raise ValidationError(
            _("The boundary is not a valid polygon (%(reason)s)."),
            code="invalid_polygon",  # "invalid" would take JSONField's own message
            params={"reason": explain_validity(geometry)},
        )
    min_x, min_y, max_x, max_y = geometry.bounds
    if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        raise ValidationError(
            _("The boundary's coordinates must be longitude, latitude in degrees (WGS-84)."),
            code="out_of_range",
        )
