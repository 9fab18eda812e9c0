"""Validators for coordinates and neighbourhood boundaries."""

import json
import math
import re
from decimal import Decimal
from typing import Any

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


# Limits for JSON typed in by staff or read from an imported file. A neighbourhood boundary
# is a few kilobytes with five levels of nesting (a MultiPolygon); a coordinate needs no more
# than about twenty characters. Far beyond any of these is a mistake or an attack, and CPython
# would answer some of it with ValueError (ints over 4,300 digits) or RecursionError.
JSON_MAX_CHARS = 1_000_000
JSON_MAX_DEPTH = 16
JSON_MAX_NUMBER_CHARS = 40
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class _Rejected(ValueError):
    """Raised from inside the JSON parser's hooks, carrying the message for the user."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__(error.messages[0])
        self.error = error


def _constant(name: str) -> Any:
    raise _Rejected(
        ValidationError(
            _("%(value)s is not a number JSON allows: write a number such as 31.19."),
            code="not_finite",
            params={"value": name},
        )
    )


def _number_text(text: str) -> None:
    if len(text) > JSON_MAX_NUMBER_CHARS:
        raise _Rejected(
            ValidationError(
                _("A number of %(length)s characters is too long (at most %(limit)s)."),
                code="number_too_long",
                params={"length": len(text), "limit": JSON_MAX_NUMBER_CHARS},
            )
        )


def _float(text: str) -> float:
    _number_text(text)
    value = float(text)
    if not math.isfinite(value):
        raise _Rejected(
            ValidationError(
                _("The number %(value)s is too large."), code="not_finite", params={"value": text}
            )
        )
    return value


def _int(text: str) -> int:
    _number_text(text)
    return int(text)


def parse_json_text(text: str) -> Any:
    """JSON typed in by a user (or read from a file), parsed strictly and safely.

    Rejects, with a message saying what is wrong, what Python's json module would accept
    or crash on: NaN and Infinity, numbers too long or too large for a float, text over
    JSON_MAX_CHARS, nesting deeper than JSON_MAX_DEPTH, and strings with control characters
    or lone surrogates (PostgreSQL refuses \\u0000 and UTF-8 cannot hold a lone surrogate).
    Raises ValidationError only.
    """
    if len(text) > JSON_MAX_CHARS:
        raise ValidationError(
            _("The text is %(length)s characters long; the limit is %(limit)s."),
            code="too_long",
            params={"length": len(text), "limit": JSON_MAX_CHARS},
        )
    try:
        value = json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except _Rejected as rejected:
        raise rejected.error from None
    except RecursionError:
        raise _too_deep() from None
    except json.JSONDecodeError as error:
        raise ValidationError(
            _("This is not valid JSON: %(error)s (line %(line)s, column %(column)s)."),
            code="invalid_json",
            params={"error": error.msg, "line": error.lineno, "column": error.colno},
        ) from None
    validate_clean_json(value)
    return value


def _too_deep() -> ValidationError:
    return ValidationError(
        _("The JSON is nested more than %(limit)s levels deep."),
        code="too_deep",
        params={"limit": JSON_MAX_DEPTH},
    )


def validate_clean_json(value: Any) -> None:
    """A parsed JSON value that is safe to store and show: not nested deeper than
    JSON_MAX_DEPTH, finite numbers, and strings without control characters or lone
    surrogates. Iterative, so that deep nesting cannot exhaust the stack."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > JSON_MAX_DEPTH:
                raise _too_deep()
            if isinstance(item, dict):
                for key, member in item.items():
                    stack.append((key, depth))
                    stack.append((member, depth + 1))
            else:
                stack.extend((member, depth + 1) for member in item)
        elif isinstance(item, str):
            if _UNSAFE_CHARACTERS.search(item):
                raise ValidationError(
                    _("A text in the JSON holds a control character or an invalid character."),
                    code="unsafe_character",
                )
        elif isinstance(item, float) and not math.isfinite(item):
            raise ValidationError(
                _("%(value)s is not a number JSON allows: write a number such as 31.19."),
                code="not_finite",
                params={"value": item},
            )


def parse_boundary(text: str) -> dict | None:
    """A boundary typed or imported as GeoJSON text: the parsed Polygon or MultiPolygon, or
    None when the text is blank. Raises ValidationError with a message for the user."""
    if not text or not text.strip():
        return None
    value = parse_json_text(text)
    validate_polygon_geojson(value)
    return value


def validate_polygon_geojson(value) -> None:
    """A GeoJSON Polygon (or MultiPolygon) in WGS-84 that shapely finds valid."""
    if value in (None, "", {}):
        return
    validate_clean_json(value)
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
