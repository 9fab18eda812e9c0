"""Import and export of sites and areas as CSV, XLSX and GeoJSON.

An import reads the whole file, validates every row with the model's own validation (the row
goes through a ModelForm, which runs `full_clean`), and saves nothing unless every row is
valid; then it saves all rows in one transaction. Rows update the existing record with the
same code (or id), so importing a file again changes records instead of duplicating them.
Exports write the same columns, so an exported file imports back to the same records.
"""

import contextlib
import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q, QuerySet
from django.forms.models import modelform_factory
from django.http import HttpResponse
from django.utils.translation import gettext as _

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
MAX_COLUMNS = 60

# Spreadsheet programs run a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TRUE_WORDS = {"1", "true", "yes", "y", "x", "是", "有", "√"}
FALSE_WORDS = {"", "0", "false", "no", "n", "否", "无"}


class ImportFileError(Exception):
    """The file as a whole cannot be read: wrong format, too many rows, missing columns."""


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


# --- Reading files -------------------------------------------------------------------------


def _normalise_header(value: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(value or "").strip().lower())


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def read_table(upload) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the non-empty rows of an uploaded CSV or XLSX file.

    Rows come with their spreadsheet row number. Raises ImportFileError for an unreadable file
    or one with more than settings.MAX_IMPORT_ROWS rows.
    """
    name = (getattr(upload, "name", "") or "").lower()
    upload.seek(0)
    data = upload.read(settings.MAX_UPLOAD_BYTES + 1)
    if len(data) > settings.MAX_UPLOAD_BYTES:
        raise ImportFileError(_("The file is larger than the upload limit."))
    raw_rows = _read_xlsx(data) if name.endswith(".xlsx") else _read_csv(data)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    limit = settings.MAX_IMPORT_ROWS
    for number, values in raw_rows:
        cells = [_cell_text(v) for v in values[:MAX_COLUMNS]]
        if not any(cells):
            continue
        if header is None:
            header = [_normalise_header(c) for c in cells]
            named = [h for h in header if h]
            if len(named) != len(set(named)):
                raise ImportFileError(_("The first row names a column twice."))
            continue
        if len(rows) >= limit:
            raise ImportFileError(
                _("The file has more than %(limit)s rows. Split it into smaller files.")
                % {"limit": limit}
            )
        rows.append(
            (number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h})
        )
    if header is None:
        raise ImportFileError(_("The file is empty."))
    return [h for h in header if h], rows


def _read_csv(data: bytes) -> Iterable[tuple[int, list[str]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 text."))
    if "\x00" in text:
        raise ImportFileError(_("This does not look like a CSV text file."))
    try:
        return list(enumerate(csv.reader(io.StringIO(text, newline="")), start=1))
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


def _read_xlsx(data: bytes) -> Iterable[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise ImportFileError(_("The file cannot be read as an Excel .xlsx workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        limit = settings.MAX_IMPORT_ROWS + 1
        for number, values in enumerate(
            sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1
        ):
            if any(v not in (None, "") for v in values):
                rows.append((number, list(values)))
                if len(rows) > limit:
                    break  # read_table reports the limit
        return rows
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(_("The file cannot be read as an Excel .xlsx workbook.")) from exc
    finally:
        workbook.close()


# --- Cleaning values -----------------------------------------------------------------------


def _unescape(value: str) -> str:
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


def _escape(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


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
            value = _unescape(value)
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
        raise ImportFileError(
            _("Missing columns: %(columns)s. The first row must name them.")
            % {"columns": ", ".join(missing)}
        )


class _RowForm(forms.ModelForm):
    """One file row. The model's clean() may name a column the file does not have (a closed
    site's reason): such errors are kept aside instead of failing the form."""

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


def _row_form(model, fields: list[str]):
    return modelform_factory(
        model,
        form=_RowForm,
        fields=fields,
        field_classes={name: TolerantBooleanField for name in fields if name in BOOLEAN_COLUMNS},
    )


# --- Sites ---------------------------------------------------------------------------------


@dataclass
class _SiteRow:
    number: int
    site: Site
    is_new: bool
    old_status: str
    services: list[ServiceType]


def import_sites(upload, *, user) -> ImportResult:
    """Validate every row of an uploaded sites file; save all of them or none."""
    header, rows = read_table(upload)
    _missing_columns(header, SITE_REQUIRED)
    model_fields = [c for c in SITE_COLUMNS if c in header and c not in {"id", "area", "services"}]
    RowForm = _row_form(Site, model_fields)

    codes = {r.get("code", "").strip() for _n, r in rows} - {""}
    ids = {r.get("id", "").strip() for _n, r in rows} - {""}
    numeric_ids = {int(i) for i in ids if i.isdigit() and len(i) < 18}
    existing = Site.objects.filter(Q(code__in=codes) | Q(pk__in=numeric_ids))
    by_code = {s.code: s for s in existing if s.code}
    by_id = {s.pk: s for s in existing}
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
            if not pk.isdigit() or int(pk) not in by_id:
                errors.append(RowError(number, "id", _("No site has the id %(id)s.") % {"id": pk}))
            else:
                instance = by_id[int(pk)]
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
        parsed.append(_SiteRow(number, form.instance, is_new, old_status, service_list))

    if result.errors:
        return result
    try:
        _save_sites(parsed, user=user, result=result)
    except (DatabaseError, ValidationError) as exc:
        # Another user saved a clashing record meanwhile: nothing of this file is kept.
        result.created = result.updated = 0
        result.errors.append(RowError(0, "", _("Nothing was saved: %(error)s") % {"error": exc}))
    return result


def _can_move(from_status: str, to_status: str) -> bool:
    return Site(status=from_status).can_move_to(to_status)


@transaction.atomic
def _save_sites(rows: list[_SiteRow], *, user, result: ImportResult) -> None:
    changed_by = user if user is not None and user.is_authenticated else None
    reason = _("Imported from a file")
    for row in rows:
        site = row.site
        site.save()
        if row.is_new or site.status != row.old_status:
            SiteStatusChange.objects.create(
                site=site,
                from_status="" if row.is_new else row.old_status,
                to_status=site.status,
                reason=site.closed_reason or reason,
                changed_by=changed_by,
            )
        present = set(site.services.values_list("service_type_id", flat=True))
        for service_type in row.services:
            if service_type.pk in present:
                continue
            present.add(service_type.pk)
            SiteService.objects.create(
                site=site,
                service_type=service_type,
                status=ServiceStatus.OPERATING
                if site.status == SiteStatus.OPERATING
                else ServiceStatus.PLANNED,
            )
        if row.is_new:
            result.created += 1
        else:
            result.updated += 1


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
    RowForm = _row_form(Area, model_fields)
    codes = {r.get("code", "").strip() for _n, r in rows} - {""}
    existing = {a.code: a.pk for a in Area.objects.filter(code__in=codes)}

    result = ImportResult()
    parsed: list[tuple[Area, bool]] = []
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
        instance = Area() if is_new else Area.objects.get(pk=existing[code])
        data = {name: values.get(name, "") for name in model_fields}
        form = RowForm(data=data, instance=instance)
        if not form.is_valid() or form.other_errors:
            result.errors.extend(_form_errors(number, form))
            continue
        parsed.append((form.instance, is_new))
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for area, is_new in parsed:
                area.save()
                if is_new:
                    result.created += 1
                else:
                    result.updated += 1
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


def csv_response(filename: str, header: list[str], rows: list[list]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # a byte-order mark: Excel then reads the Chinese text as UTF-8
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_escape(value) for value in row])
    return response


def xlsx_response(filename: str, header: list[str], rows: list[list]) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value):
        # Control characters cannot be stored in a worksheet at all.
        value = _escape(value)
        return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def geojson_response(filename: str, collection: dict) -> HttpResponse:
    response = HttpResponse(
        json.dumps(collection, ensure_ascii=False), content_type="application/geo+json"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
