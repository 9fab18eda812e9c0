"""Import and export of sites and areas as CSV, XLSX and GeoJSON.

Files are read and written by fenglin.tabular, within its limits. An import validates every row
with the model's own validation (the row goes through a ModelForm, which runs `full_clean`; an
area row through the area form itself) and saves nothing unless every row is valid; then it
saves all rows in one transaction, in batches: the queries grow with the batches, never with
the rows, so the largest file the limits allow imports within a request. Rows update the
existing record with the same code (or id), so importing a file again changes records instead
of duplicating them. Exports write the same columns, so an exported file imports back to the
same records.
"""

import contextlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.forms.models import modelform_factory
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from fenglin.parsing import parse_id
from fenglin.tabular import TableError, read_table, unescape_formula
from sites.forms import AreaForm
from sites.models import (
    Area,
    ServiceStatus,
    ServiceType,
    Site,
    SiteService,
    SiteStatus,
    SiteStatusChange,
)

SITE_COLUMNS = [
    "id",
    "code",
    "name",
    "address",
    "latitude",
    "longitude",
    "area",
    "floor_area_m2",
    "ownership",
    "status",
    "closed_reason",
    "hazard_fire",
    "hazard_building",
    "hazard_food",
    "visitors_per_month",
    "illustrative",
    "notes",
    "services",
]
SITE_REQUIRED = ["name", "address", "latitude", "longitude"]

AREA_COLUMNS = [
    "code",
    "name",
    "centroid_lat",
    "centroid_lng",
    "population_total",
    "population_elderly",
    "population_children_0_6",
    "population_children_7_14",
    "population_disabled",
    "households",
    "illustrative",
    "notes",
    "boundary",
]
AREA_REQUIRED = ["code", "name", "centroid_lat", "centroid_lng"]

BOOLEAN_COLUMNS = {"hazard_fire", "hazard_building", "hazard_food", "illustrative"}
COORDINATE_COLUMNS = {"latitude", "longitude", "centroid_lat", "centroid_lng"}
TEXT_COLUMNS = {"name", "address", "closed_reason", "notes"}
# Rows per INSERT or UPDATE (and per history insert).
BATCH = 500
TRUE_WORDS = {"1", "true", "yes", "y", "x", "是", "有", "√"}
FALSE_WORDS = {"", "0", "false", "no", "n", "否", "无"}


@dataclass
class RowError:
    row: int  # the spreadsheet's row number: the header is row 1
    column: str
    reason: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors})


# --- Cleaning values -----------------------------------------------------------------------


class TolerantBooleanField(forms.Field):
    """yes/no, true/false, 1/0 and Chinese 是/否; an empty cell is no."""

    widget = forms.TextInput

    def to_python(self, value):
        text = str(value or "").strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise ValidationError(_("Write yes or no (or 1 / 0)."), code="invalid")

    def validate(self, value):
        pass


def _row_values(row: dict[str, str]) -> dict[str, str]:
    values = {}
    for column, value in row.items():
        value = value.strip()
        if column in TEXT_COLUMNS:
            value = unescape_formula(value)
        elif column in COORDINATE_COLUMNS and value:
            # Six decimals is about 0.1 m; longer coordinates from GIS tools are rounded.
            with contextlib.suppress(InvalidOperation, ValueError):  # the form reports it
                value = str(Decimal(value.replace(",", ".")).quantize(Decimal("0.000001")))
        elif column in {"status", "ownership"}:
            value = value.lower()
        values[column] = value
    return values


def _form_errors(number: int, form: forms.BaseForm) -> list[RowError]:
    errors = []
    for name, field_errors in form.errors.as_data().items():
        column = "" if name == NON_FIELD_ERRORS else name
        for error in field_errors:
            for message in error.messages:
                errors.append(RowError(number, column, message))
    for name, messages in getattr(form, "other_errors", {}).items():
        errors.extend(RowError(number, name, message) for message in messages)
    return errors


def _missing_columns(header: list[str], required: list[str]) -> None:
    missing = [column for column in required if column not in header]
    if missing:
        raise TableError(
            _("Missing columns: %(columns)s. The first row must name them.")
            % {"columns": ", ".join(missing)}
        )


class _RowForm(forms.ModelForm):
    """One file row. The model's clean() may name a column the file does not have (a closed
    site's reason): such errors are kept aside instead of failing the form.

    Codes are checked for the whole file at once (against each other and the stored records),
    so the per-row uniqueness query is skipped; the database enforces them again at save.
    Constraints are checked per row only where the model's clean() does not check the same
    (`per_row_constraints`).
    """

    per_row_constraints = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.other_errors: dict[str, list[str]] = {}

    def add_error(self, field, error):
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            known = {}
            for name, errors in error.error_dict.items():
                if name == NON_FIELD_ERRORS or name in self.fields:
                    known[name] = errors
                else:
                    for item in errors:
                        self.other_errors.setdefault(name, []).extend(item.messages)
            if not known:
                return
            error = ValidationError(known)
        super().add_error(field, error)

    def validate_unique(self):
        pass

    def validate_constraints(self):
        if self.per_row_constraints:
            super().validate_constraints()


class _SiteRowForm(_RowForm):
    # Site's one constraint (a closed site needs a reason) is Site.clean()'s own check.
    per_row_constraints = False


class _AreaRowForm(_RowForm, AreaForm):
    """An area row goes through the area form itself: a boundary is checked exactly as on the
    area page."""


def _row_form(model, fields: list[str], form: type[_RowForm]):
    return modelform_factory(
        model,
        form=form,
        fields=fields,
        field_classes={name: TolerantBooleanField for name in fields if name in BOOLEAN_COLUMNS},
    )


def _stored_values(record, fields: list[str]) -> dict:
    """A record's values as loaded, before a row changes them: only changes are written."""
    opts = record._meta
    return {name: getattr(record, opts.get_field(name).attname) for name in fields}


def _save_in_batches(
    model, *, new: list, stored: list[tuple], fields: list[str], user, reason
) -> None:
    """Insert the new records and update the stored ones a row changed (each with the values
    it was loaded with), with their history records, a few queries per batch. An update writes
    only the fields that changed, and moves each changed record's version on as its save()
    would (a versioned model's): in the database, so that no two writers give out the same
    number."""
    common = {"batch_size": BATCH, "default_user": user, "default_change_reason": reason}
    if new:
        bulk_create_with_history(new, model, **common)
    opts = model._meta
    changed, changed_fields = [], set()
    for record, before in stored:
        differ = {
            name for name in fields if getattr(record, opts.get_field(name).attname) != before[name]
        }
        if differ:
            changed.append(record)
            changed_fields |= differ
    now = timezone.now()
    stamped = [f.name for f in opts.concrete_fields if getattr(f, "auto_now", False)]
    versioned = any(f.name == "version" for f in opts.concrete_fields)  # fenglin.versioning
    update_fields = [name for name in fields if name in changed_fields] + stamped
    for start in range(0, len(changed), BATCH):
        batch = changed[start : start + BATCH]
        if versioned:
            rows = model._base_manager.filter(pk__in=[record.pk for record in batch])
            rows.update(version=F("version") + 1)
            versions = dict(rows.values_list("pk", "version"))
        for record in batch:
            if versioned:
                record.version = versions[record.pk]
            for name in stamped:
                setattr(record, name, now)
        bulk_update_with_history(batch, model, update_fields, **common)


# --- Sites ---------------------------------------------------------------------------------


@dataclass
class _SiteRow:
    number: int
    site: Site
    is_new: bool
    old_status: str
    stored: dict  # a stored site's values before the row
    offered: set[int]  # the service types a stored site offers already
    services: list[ServiceType]


def import_sites(upload, *, user) -> ImportResult:
    """Validate every row of an uploaded sites file; save all of them or none."""
    header, rows = read_table(upload)
    _missing_columns(header, SITE_REQUIRED)
    model_fields = [c for c in SITE_COLUMNS if c in header and c not in {"id", "area", "services"}]
    RowForm = _row_form(Site, model_fields, _SiteRowForm)
    fields = model_fields + ["area"] * ("area" in header)  # what the file sets

    codes = {r.get("code", "").strip() for _n, r in rows} - {""}
    ids = {parse_id(r.get("id", "")) for _n, r in rows} - {None}
    # With their services' floor area, which Site.clean() checks the site's against.
    existing = Site.objects.filter(Q(code__in=codes) | Q(pk__in=ids)).annotate(
        floor_area_in_services=Sum("services__floor_area_m2")
    )
    by_code = {s.code: s for s in existing if s.code}
    by_id = {s.pk: s for s in existing}
    offered: dict[int, set[int]] = defaultdict(set)  # site pk -> its service types' pks
    for site_pk, service_type_pk in SiteService.objects.filter(site__in=list(by_id)).values_list(
        "site_id", "service_type_id"
    ):
        offered[site_pk].add(service_type_pk)
    areas = {a.code: a for a in Area.objects.all()}
    service_types = {s.code: s for s in ServiceType.objects.all()}

    result = ImportResult()
    parsed: list[_SiteRow] = []
    seen: dict[str, int] = {}
    used: dict[int, int] = {}  # site pk -> the row that updates it
    for number, raw in rows:
        values = _row_values(raw)
        errors: list[RowError] = []
        code, pk = values.get("code", ""), values.get("id", "")
        key = f"code:{code}" if code else (f"id:{pk}" if pk else "")
        if key and key in seen:
            errors.append(
                RowError(
                    number,
                    "code" if code else "id",
                    _("Row %(row)s has the same code or id.") % {"row": seen[key]},
                )
            )
        elif key:
            seen[key] = number
        instance = None
        if code and code in by_code:
            instance = by_code[code]
        elif pk:
            if parse_id(pk) not in by_id:
                errors.append(RowError(number, "id", _("No site has the id %(id)s.") % {"id": pk}))
            else:
                instance = by_id[parse_id(pk)]
                if code and instance.code and instance.code != code:
                    errors.append(
                        RowError(
                            number,
                            "code",
                            _("Site %(id)s has the code %(code)s.")
                            % {"id": pk, "code": instance.code},
                        )
                    )
        is_new = instance is None
        if is_new:
            instance = Site()
        elif instance.pk in used:
            errors.append(
                RowError(
                    number,
                    "id",
                    _("Row %(row)s updates the same site.") % {"row": used[instance.pk]},
                )
            )
            instance = Site()
        else:
            used[instance.pk] = number
        old_status = instance.status
        stored = _stored_values(instance, fields) if not is_new else {}

        if "area" in header:
            area_code = values.get("area", "")
            if area_code and area_code not in areas:
                errors.append(
                    RowError(
                        number, "area", _("No area has the code %(code)s.") % {"code": area_code}
                    )
                )
            instance.area = areas.get(area_code) if area_code else None

        service_list: list[ServiceType] = []
        for service_code in re.split(r"[;,，；\s]+", values.get("services", "")):
            if not service_code:
                continue
            if service_code not in service_types:
                errors.append(
                    RowError(
                        number,
                        "services",
                        _("No service in the catalogue has the code %(code)s.")
                        % {"code": service_code},
                    )
                )
            else:
                service_list.append(service_types[service_code])

        data = {name: values.get(name, "") for name in model_fields}
        for name in ("status", "ownership"):
            # An empty cell keeps the current value (for a new site: the default).
            if name in data and not data[name]:
                data[name] = getattr(instance, name)
        form = RowForm(data=data, instance=instance)
        if form.is_valid() and not form.other_errors:
            site = form.instance
            if not is_new and site.status != old_status and not _can_move(old_status, site.status):
                errors.append(
                    RowError(
                        number,
                        "status",
                        _("A site cannot go from “%(from)s” to “%(to)s”.")
                        % {
                            "from": SiteStatus(old_status).label,
                            "to": SiteStatus(site.status).label,
                        },
                    )
                )
        else:
            errors.extend(_form_errors(number, form))
        if errors:
            result.errors.extend(errors)
            continue
        parsed.append(
            _SiteRow(
                number,
                form.instance,
                is_new,
                old_status,
                stored,
                offered.get(instance.pk, set()),
                service_list,
            )
        )

    if result.errors:
        return result
    try:
        _save_sites(parsed, fields=fields, user=user)
        result.created = sum(row.is_new for row in parsed)
        result.updated = len(parsed) - result.created
    except (DatabaseError, ValidationError) as exc:
        # Another user saved a clashing record meanwhile: nothing of this file is kept.
        result.created = result.updated = 0
        result.errors.append(RowError(0, "", _("Nothing was saved: %(error)s") % {"error": exc}))
    return result


def _can_move(from_status: str, to_status: str) -> bool:
    return Site(status=from_status).can_move_to(to_status)


@transaction.atomic
def _save_sites(rows: list[_SiteRow], *, fields: list[str], user) -> None:
    """Save the file's sites, their first or changed status and their new services."""
    changed_by = user if user is not None and user.is_authenticated else None
    reason = _("Imported from a file")
    _save_in_batches(
        Site,
        new=[row.site for row in rows if row.is_new],
        stored=[(row.site, row.stored) for row in rows if not row.is_new],
        fields=fields,
        user=changed_by,
        reason=reason,
    )
    SiteStatusChange.objects.bulk_create(
        (
            SiteStatusChange(
                site=row.site,
                from_status="" if row.is_new else row.old_status,
                to_status=row.site.status,
                reason=row.site.closed_reason or reason,
                changed_by=changed_by,
            )
            for row in rows
            if row.is_new or row.site.status != row.old_status
        ),
        batch_size=BATCH,
    )
    services = []
    for row in rows:
        site = row.site
        present = set(row.offered)
        for service_type in row.services:
            if service_type.pk in present:
                continue
            present.add(service_type.pk)
            operating = site.status == SiteStatus.OPERATING
            services.append(
                SiteService(
                    site=site,
                    service_type=service_type,
                    status=ServiceStatus.OPERATING if operating else ServiceStatus.PLANNED,
                )
            )
    if services:
        bulk_create_with_history(services, SiteService, batch_size=BATCH, default_user=changed_by)


def site_rows(sites: QuerySet[Site]) -> list[list]:
    from sites.selectors import site_table

    rows = []
    for site in site_table(sites).order_by("name", "pk"):
        rows.append(
            [
                site.pk,
                site.code or "",
                site.name,
                site.address,
                site.latitude,
                site.longitude,
                site.area.code if site.area else "",
                site.floor_area_m2 if site.floor_area_m2 is not None else "",
                site.ownership,
                site.status,
                site.closed_reason,
                _yes_no(site.hazard_fire),
                _yes_no(site.hazard_building),
                _yes_no(site.hazard_food),
                "" if site.visitors_per_month is None else site.visitors_per_month,
                _yes_no(site.illustrative),
                site.notes,
                ";".join(s.service_type.code for s in site.services.all()),
            ]
        )
    return rows


def sites_geojson(sites: QuerySet[Site]) -> dict:
    """A GeoJSON FeatureCollection of points (WGS-84 longitude, latitude) that QGIS opens."""
    from sites.selectors import site_table

    features = []
    for site in site_table(sites).order_by("name", "pk"):
        features.append(
            {
                "type": "Feature",
                "id": site.pk,
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(site.longitude), float(site.latitude)],
                },
                "properties": {
                    "id": site.pk,
                    "code": site.code or "",
                    "name": site.name,
                    "address": site.address,
                    "area": site.area.code if site.area else None,
                    "floor_area_m2": _number(site.floor_area_m2),
                    "ownership": site.ownership,
                    "status": site.status,
                    "closed_reason": site.closed_reason,
                    "hazard_fire": site.hazard_fire,
                    "hazard_building": site.hazard_building,
                    "hazard_food": site.hazard_food,
                    "visitors_per_month": site.visitors_per_month,
                    "illustrative": site.illustrative,
                    "services": ";".join(s.service_type.code for s in site.services.all()),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


# --- Areas ---------------------------------------------------------------------------------


def import_areas(upload, *, user=None) -> ImportResult:
    """Validate every row of an uploaded areas file; save all of them or none."""
    header, rows = read_table(upload)
    _missing_columns(header, AREA_REQUIRED)
    model_fields = [c for c in AREA_COLUMNS if c in header]
    RowForm = _row_form(Area, model_fields, _AreaRowForm)
    codes = {r.get("code", "").strip() for _n, r in rows} - {""}
    existing = Area.objects.in_bulk(codes, field_name="code")

    result = ImportResult()
    parsed: list[tuple[Area, dict | None]] = []  # with a stored area's values before the row
    seen: dict[str, int] = {}
    for number, raw in rows:
        values = _row_values(raw)
        code = values.get("code", "")
        if code in seen:
            result.errors.append(
                RowError(number, "code", _("Row %(row)s has the same code.") % {"row": seen[code]})
            )
            continue
        seen[code] = number
        is_new = code not in existing
        instance = Area() if is_new else existing[code]
        stored = None if is_new else _stored_values(instance, model_fields)
        data = {name: values.get(name, "") for name in model_fields}
        form = RowForm(data=data, instance=instance)
        if not form.is_valid() or form.other_errors:
            result.errors.extend(_form_errors(number, form))
            continue
        parsed.append((form.instance, stored))
    if result.errors:
        return result
    try:
        with transaction.atomic():
            _save_in_batches(
                Area,
                new=[area for area, stored in parsed if stored is None],
                stored=[(area, stored) for area, stored in parsed if stored is not None],
                fields=model_fields,
                user=user if user is not None and user.is_authenticated else None,
                reason=_("Imported from a file"),
            )
        result.created = sum(stored is None for _area, stored in parsed)
        result.updated = len(parsed) - result.created
    except (DatabaseError, ValidationError) as exc:
        result.created = result.updated = 0
        result.errors.append(RowError(0, "", _("Nothing was saved: %(error)s") % {"error": exc}))
    return result


def area_rows(areas: QuerySet[Area]) -> list[list]:
    rows = []
    for area in areas.order_by("code"):
        rows.append(
            [
                area.code,
                area.name,
                area.centroid_lat,
                area.centroid_lng,
                *(
                    "" if v is None else v
                    for v in (
                        area.population_total,
                        area.population_elderly,
                        area.population_children_0_6,
                        area.population_children_7_14,
                        area.population_disabled,
                        area.households,
                    )
                ),
                _yes_no(area.illustrative),
                area.notes,
                json.dumps(area.boundary, ensure_ascii=False) if area.boundary else "",
            ]
        )
    return rows


def areas_geojson(areas: QuerySet[Area]) -> dict:
    """Areas as features: the boundary where there is one, else the centre point."""
    features = []
    for area in areas.order_by("code"):
        geometry = area.boundary or {
            "type": "Point",
            "coordinates": [float(area.centroid_lng), float(area.centroid_lat)],
        }
        features.append(
            {
                "type": "Feature",
                "id": area.pk,
                "geometry": geometry,
                "properties": {
                    "code": area.code,
                    "name": area.name,
                    "centroid_lat": float(area.centroid_lat),
                    "centroid_lng": float(area.centroid_lng),
                    "population_total": area.population_total,
                    "population_elderly": area.population_elderly,
                    "population_children_0_6": area.population_children_0_6,
                    "population_children_7_14": area.population_children_7_14,
                    "population_disabled": area.population_disabled,
                    "households": area.households,
                    "illustrative": area.illustrative,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


# --- Writing files -------------------------------------------------------------------------


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def geojson_response(filename: str, collection: dict) -> HttpResponse:
    response = HttpResponse(
        json.dumps(collection, ensure_ascii=False), content_type="application/geo+json"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
