"""Neighbourhood boundaries on the Django side: the street's outline, the checks, the import.

Reads: :func:`street` (the outline), :func:`boundary_problems` (what is wrong with one area's
boundary, for its form), :func:`street_report` (every area's boundary against the outline and
the others, for the Boundaries page) and :func:`editor_backdrop` (what the boundary editor
draws behind the boundary being edited).

Writes: :func:`preview_import` reads a GeoJSON file of boundaries and says what would change,
saving nothing; :func:`save_import` saves a preview's boundaries, all or none.

The geometry itself is :mod:`siting.boundaries`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from sites.models import Area
from sites.street import Street
from sites.validators import parse_json_text, validate_polygon_geojson
from siting import boundaries as core

# --- Reads ---------------------------------------------------------------------------------


def street() -> Street | None:
    """The street's outline (the first row; one is expected), or None when none is recorded."""
    return Street.objects.first()


def _m(value: float) -> str:
    return number_format(round(value), force_grouping=True)


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%" if share < 0.1 else f"{share * 100:.0f}%"


def outline_message(finding: core.OutlineFinding) -> str:
    return _(
        "The boundary reaches %(far)s m outside the street's outline (%(area)s m² outside; "
        "up to %(tolerance)s m is allowed)."
    ) % {
        "far": _m(finding.farthest_m),
        "area": _m(finding.outside_m2),
        "tolerance": _m(core.OUTLINE_TOLERANCE_M),
    }


def overlap_message(name: str, overlap: core.Overlap) -> str:
    return _(
        "The boundary overlaps %(name)s by %(area)s m² (%(share)s of the smaller area; "
        "up to 1%% and 200 m² is allowed)."
    ) % {"name": name, "area": _m(overlap.area_m2), "share": _percent(overlap.share)}


def boundary_problems(boundary: Mapping[str, Any], *, area_pk: int | None = None) -> list[str]:
    """Why a valid boundary cannot be saved for an area (``area_pk``; None for a new one): the
    street's outline it leaves and the other areas it overlaps, beyond the tolerances. Two
    queries."""
    polygon = core.read_polygon(boundary)
    if polygon is None:
        return []  # validate_polygon_geojson reports it
    problems = []
    outline = street()
    outline_polygon = core.read_polygon(outline.boundary) if outline else None
    if outline_polygon is not None:
        finding = core.check_outline(polygon, outline_polygon)
        if not finding.inside:
            problems.append(outline_message(finding))
    others = Area.objects.exclude(boundary__isnull=True).values_list("pk", "name", "boundary")
    if area_pk is not None:
        others = others.exclude(pk=area_pk)
    names = {}
    shapes: dict[Any, Any] = {"self": polygon}
    for pk, name, other in others:
        other_polygon = core.read_polygon(other)
        if other_polygon is not None:
            shapes[pk], names[pk] = other_polygon, name
    for overlap in core.find_overlaps(shapes, only="self"):
        other = overlap.second if overlap.first == "self" else overlap.first
        problems.append(overlap_message(names[other], overlap))
    return problems


@dataclass(frozen=True)
class AreaRow:
    """One area on the Boundaries page."""

    area: Area
    has_boundary: bool
    readable: bool
    outline: core.OutlineFinding | None
    overlaps: list[tuple[Area, core.Overlap]]


@dataclass(frozen=True)
class StreetReport:
    street: Street | None
    rows: list[AreaRow]
    gap_share: float | None  # share of the outline no area covers; None without an outline
    overlap_count: int

    @property
    def with_boundary(self) -> int:
        return sum(row.has_boundary for row in self.rows)

    @property
    def illustrative(self) -> bool:
        """Whether any of it is demo data, which the page must say."""
        street_demo = self.street is not None and self.street.illustrative
        return street_demo or any(row.area.illustrative for row in self.rows if row.has_boundary)

    @property
    def gap_percent(self) -> float | None:
        return None if self.gap_share is None else self.gap_share * 100

    @property
    def outside(self) -> int:
        return sum(1 for row in self.rows if row.outline is not None and not row.outline.inside)


def street_report(areas: QuerySet[Area]) -> StreetReport:
    """Every area's boundary checked against the street's outline and the other areas."""
    areas = list(areas)
    outline = street()
    report = core.check_boundaries(
        {area.pk: area.boundary for area in areas}, outline.boundary if outline else None
    )
    by_pk = {area.pk: area for area in areas}
    overlaps: dict[int, list] = {area.pk: [] for area in areas}
    for overlap in report.overlaps:
        overlaps[overlap.first].append((by_pk[overlap.second], overlap))
        overlaps[overlap.second].append((by_pk[overlap.first], overlap))
    rows = [
        AreaRow(
            area=area,
            has_boundary=bool(area.boundary),
            readable=bool(area.boundary) and area.pk not in report.unreadable,
            outline=report.outline.get(area.pk),
            overlaps=overlaps[area.pk],
        )
        for area in areas
    ]
    return StreetReport(outline, rows, report.gap_share, len(report.overlaps))


def report_map(report: StreetReport) -> dict:
    """The Boundaries page's map: the outline and every readable boundary with its name."""
    return {
        "outline": report.street.boundary if report.street else None,
        "areas": [
            {
                "name": row.area.name,
                "boundary": row.area.boundary,
                "problem": bool(row.overlaps)
                or (row.outline is not None and not row.outline.inside),
                "url": row.area.get_absolute_url(),
            }
            for row in report.rows
            if row.readable
        ],
    }


def editor_backdrop(*, exclude_pk: int | None = None) -> dict:
    """What the boundary editor draws behind the boundary being edited: the street's outline
    and the other areas' boundaries with their names."""
    outline = street()
    others = Area.objects.exclude(boundary__isnull=True).values_list("pk", "name", "boundary")
    return {
        "outline": outline.boundary if outline else None,
        "areas": [
            {"name": name, "boundary": boundary}
            for pk, name, boundary in others
            if pk != exclude_pk and core.read_polygon(boundary) is not None
        ],
    }


# --- Import --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One area's boundary as an import would set it."""

    area: Area
    boundary: dict
    kind: str  # "new", "replaced" or "unchanged"
    note: str = ""  # e.g. the parts of a MultiPolygon left out


@dataclass
class BoundaryImport:
    """The preview of a boundaries file: what would change, what matched no area, and the
    problems that stop it being saved."""

    changes: list[Change] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def can_save(self) -> bool:
        return not self.problems and any(c.kind != "unchanged" for c in self.changes)

    def payload(self) -> str:
        """The matched boundaries as a FeatureCollection, for the confirming form to post
        back: it is checked again, as if uploaded, before anything is saved."""
        return json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": c.area.code},
                        "geometry": c.boundary,
                    }
                    for c in self.changes
                ],
            },
            ensure_ascii=False,
        )


def read_upload(upload) -> str:
    """An uploaded GeoJSON file as text; ValidationError with one message when it cannot be."""
    limit = settings.MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text: save it as UTF-8 GeoJSON.")) from None


def preview_import(text: str, *, areas: QuerySet[Area]) -> BoundaryImport:
    """What a GeoJSON FeatureCollection of boundaries would change among ``areas``.

    Each feature's ``code`` property (else its ``name``) names the area. A MultiPolygon
    contributes its largest part, and the preview says so. The boundaries are checked as on the
    area form, together: each must be a valid polygon inside the street's outline, and none may
    overlap another area's boundary as it would be after the import. Raises ValidationError
    with one message for a file that is not such a collection; saves nothing.
    """
    data = parse_json_text(text)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValidationError(_("The file must be a GeoJSON FeatureCollection."))
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationError(_("The FeatureCollection has no features."))
    areas = list(areas)
    by_code = {a.code: a for a in areas}
    by_name = {a.name: a for a in areas}
    result = BoundaryImport()
    seen: dict[int, int] = {}
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        properties = properties if isinstance(properties, dict) else {}
        code, name = str(properties.get("code") or ""), str(properties.get("name") or "")
        label = code or name or _("feature %(number)s") % {"number": number}
        area = by_code.get(code) or by_name.get(name)
        if area is None:
            result.unmatched.append(label)
            continue
        if area.pk in seen:
            result.problems.append(
                _("%(area)s: features %(first)s and %(second)s both name it.")
                % {"area": area.name, "first": seen[area.pk], "second": number}
            )
            continue
        seen[area.pk] = number
        geometry = feature.get("geometry")
        try:
            validate_polygon_geojson(geometry)
            if not geometry:
                raise ValidationError(_("The feature has no geometry."))
        except ValidationError as error:
            result.problems.append(f"{area.name}: {' '.join(error.messages)}")
            continue
        polygon, parts = core.largest_part(geometry)
        note = ""
        if parts > 1:
            note = _("A MultiPolygon of %(parts)s parts: the largest part is kept.") % {
                "parts": parts
            }
        kind = "new" if not area.boundary else "replaced"
        if area.boundary == polygon:
            kind = "unchanged"
        result.changes.append(Change(area, polygon, kind, note))
    result.problems.extend(_placement_problems(result.changes))
    return result


def _placement_problems(changes: list[Change]) -> list[str]:
    """The outline and overlap findings of the boundaries as they would be after the import,
    for the areas the import touches."""
    if not changes:
        return []
    touched = {c.area.pk: c for c in changes}
    after = dict(Area.objects.exclude(boundary__isnull=True).values_list("pk", "boundary"))
    after.update({pk: c.boundary for pk, c in touched.items()})
    names = dict(Area.objects.filter(pk__in=after).values_list("pk", "name"))
    outline = street()
    report = core.check_boundaries(after, outline.boundary if outline else None)
    problems = []
    for pk, change in touched.items():
        finding = report.outline.get(pk)
        if finding is not None and not finding.inside:
            problems.append(f"{change.area.name}: {outline_message(finding)}")
    for overlap in report.overlaps:
        if overlap.first in touched or overlap.second in touched:
            first, second = (
                (overlap.first, overlap.second)
                if overlap.first in touched
                else (overlap.second, overlap.first)
            )
            problems.append(f"{names[first]}: {overlap_message(names[second], overlap)}")
    return problems


@transaction.atomic
def save_import(*, changes: Iterable[Change], user=None) -> int:
    """Save the boundaries of a preview that has no problems, all or none; returns how many
    areas changed. Each area gets a history record saying it came from an import."""
    saved = 0
    for change in changes:
        if change.kind == "unchanged":
            continue
        area = Area.objects.select_for_update().get(pk=change.area.pk)
        area.boundary = change.boundary
        area._change_reason = _("Boundary imported from GeoJSON")
        area.save()
        saved += 1
    return saved
