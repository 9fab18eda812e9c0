"""Import and export of sites and areas: CSV and XLSX through fenglin.tabular, GeoJSON for maps.

An import reads the file with fenglin.tabular (within its limits) and checks every row with a
row form, a ModelForm per row like NetBox's SiteImportForm: areas and services are named by
their code, and the model's own validation runs, the site lifecycle included (Site.clean).
That check is the preview of what the file would do; nothing is saved unless every row is
valid, and then every row is saved in one transaction through the sites services, the same
save path as the staff pages (a new site gets its area from its coordinates and its first
status recorded). Saving takes a few queries per batch of rows, never one per row, so the
largest file the limits allow imports within a request.

Rows update the record with the same code (or id), so importing a file again changes records
instead of duplicating them. Exports write the same columns, so an exported file imports back
to the same records. Views turn what this module returns into HTTP responses.
"""

import contextlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fenglin.parsing import parse_id
from fenglin.tabular import TableError, read_table, unescape_formula
from fenglin.versioning import VERSION_FIELD
from sites import services
from sites.forms import AreaForm
from sites.models import HAZARD_FIELDS, Area, ServiceType, Site

SITE_COLUMNS = ["id", *Site.EDITABLE_FIELDS, "services"]
SITE_REQUIRED = ["name", "address", "latitude", "longitude"]
AREA_COLUMNS = list(Area.EDITABLE_FIELDS)
AREA_REQUIRED = ["code", "name", "centroid_lat", "centroid_lng"]
# Columns of older files that are no longer imported: the hazard flags follow the open
# findings of inspections (Site.refresh_hazards).
IGNORED_SITE_COLUMNS = list(HAZARD_FIELDS.values())

COORDINATE_COLUMNS = {"latitude", "longitude", "centroid_lat", "centroid_lng"}
TEXT_COLUMNS = {"name", "name_en", "address", "closed_reason", "notes"}
# An empty cell in these keeps the record's value (for a new record: the default).
KEEP_WHEN_EMPTY = {"status", "ownership"}
CODE_SEPARATORS = re.compile(r"[;,，；\s]+")
TRUE_WORDS = {"1", "true", "yes", "y", "x", "是", "有", "√"}
FALSE_WORDS = {"", "0", "false", "no", "n", "否", "无"}


@dataclass
class RowError:
    row: int  # the spreadsheet's row number: the header is row 1
    column: str
    reason: str


@dataclass
class ImportResult:
    """What a file does: new and updated records, the problems that stop it, notes on what
    it leaves aside. Until saved, `rows` holds the checked rows (the preview)."""

    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows: list = field(default_factory=list, repr=False)
    fields: list[str] = field(default_factory=list, repr=False)  # what the file sets

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors})


# --- Row forms -----------------------------------------------------------------------------


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


class CodeChoiceField(forms.ModelChoiceField):
    """A record named by its code. The import gives `by_code`, the records read once for the
    whole file, so a row costs no query."""

    def __init__(self, queryset, *, message, **kwargs):
        super().__init__(queryset, to_field_name="code", **kwargs)
        self.message = message
        self.by_code: dict[str, models.Model] | None = None

    def to_python(self, value):
        if value in self.empty_values:
            return None
        code = str(value)
        found = self.by_code.get(code) if self.by_code is not None else None
        if self.by_code is None:
            found = self.queryset.filter(code=code).first()
        if found is None:
            raise ValidationError(self.message, code="invalid_choice", params={"code": code})
        return found


class CodeListField(forms.ModelMultipleChoiceField):
    """Records named by their codes in one cell, separated by semicolons, commas or spaces;
    each unknown code is reported. Looked up in `by_code` like CodeChoiceField."""

    def __init__(self, queryset, *, message, **kwargs):
        super().__init__(queryset, to_field_name="code", **kwargs)
        self.message = message
        self.by_code: dict[str, models.Model] | None = None

    def clean(self, value) -> list:
        codes = [code for code in CODE_SEPARATORS.split(str(value or "").strip()) if code]
        by_code = self.by_code
        if by_code is None:
            by_code = {obj.code: obj for obj in self.queryset.filter(code__in=codes)}
        unknown = [code for code in codes if code not in by_code]
        if unknown:
            raise ValidationError(
                [
                    ValidationError(self.message, code="invalid_choice", params={"code": code})
                    for code in unknown
                ]
            )
        if self.required and not codes:
            raise ValidationError(self.error_messages["required"], code="required")
        return list(dict.fromkeys(by_code[code] for code in codes))


class RowForm(forms.ModelForm):
    """One file row: only the columns the file has are fields (`for_columns`: a column left
    out changes nothing). The model's clean() may name a column the file does not have (a
    closed site's reason): such errors are kept aside instead of failing the form.

    Codes are checked for the whole file at once (against each other and the stored records),
    so the per-row uniqueness query is skipped; the database enforces them again at save.
    Constraints are checked per row only where the model's clean() does not check the same
    (`per_row_constraints`).
    """

    per_row_constraints = True

    @classmethod
    def for_columns(cls, columns: list[str]) -> type["RowForm"]:
        """The row form of a file with these columns (made once per file: a row's form then
        copies only the fields the file has)."""
        keep = {*columns, VERSION_FIELD}  # a versioned form's own field stays (empty)
        form = type(cls.__name__, (cls,), {})
        form.base_fields = {name: f for name, f in cls.base_fields.items() if name in keep}
        return form

    def __init__(self, *args, lookups: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, by_code in (lookups or {}).items():
            if name in self.fields:
                self.fields[name].by_code = by_code
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

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        # Found among the records read for the whole file: no query per row to check them.
        exclude.update(
            name for name, field in self.fields.items() if getattr(field, "by_code", None)
        )
        return exclude

    def validate_unique(self):
        pass

    def validate_constraints(self):
        if self.per_row_constraints:
            super().validate_constraints()

    def row_errors(self, number: int) -> list[RowError]:
        errors = []
        for name, field_errors in self.errors.as_data().items():
            column = "" if name == NON_FIELD_ERRORS else name
            for error in field_errors:
                errors.extend(RowError(number, column, message) for message in error.messages)
        for name, messages in self.other_errors.items():
            errors.extend(RowError(number, name, message) for message in messages)
        return errors


class SiteImportForm(RowForm):
    """A row of a sites file."""

    # Site's one constraint (a closed site needs a reason) is Site.clean()'s own check.
    per_row_constraints = False

    area = CodeChoiceField(
        Area.objects.all(),
        required=False,
        message=gettext_lazy("No area has the code %(code)s."),
    )
    services = CodeListField(
        ServiceType.objects.all(),
        required=False,
        message=gettext_lazy("No service in the catalogue has the code %(code)s."),
    )

    class Meta:
        model = Site
        fields = Site.EDITABLE_FIELDS
        field_classes = {"illustrative": TolerantBooleanField}


class AreaImportForm(RowForm, AreaForm):
    """A row of an areas file: through the area form itself, so a boundary is checked exactly
    as on the area page."""

    class Meta(AreaForm.Meta):
        field_classes = {"illustrative": TolerantBooleanField}


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
        elif column in KEEP_WHEN_EMPTY:
            value = value.lower()
        values[column] = value
    return values


def _form_data(values: dict[str, str], record: models.Model, columns: list[str]) -> dict:
    data = {name: values.get(name, "") for name in columns}
    for name in KEEP_WHEN_EMPTY & set(data):
        if not data[name]:
            data[name] = getattr(record, name)
    return data


def _missing_columns(header: list[str], required: list[str]) -> None:
    missing = [column for column in required if column not in header]
    if missing:
        raise TableError(
            _("Missing columns: %(columns)s. The first row must name them.")
            % {"columns": ", ".join(missing)}
        )


def _save(result: ImportResult, save) -> ImportResult:
    """Save the checked rows all together, or nothing."""
    try:
        with transaction.atomic():
            save()
    except (DatabaseError, ValidationError) as exc:
        # Another user saved a clashing record meanwhile: nothing of this file is kept.
        result.created = result.updated = 0
        result.errors.append(RowError(0, "", _("Nothing was saved: %(error)s") % {"error": exc}))
    result.rows = []
    return result


# --- Sites ---------------------------------------------------------------------------------


@dataclass
class _SiteRow:
    number: int
    site: Site
    stored: dict | None  # a stored site's values before the row; None for a new site
    services: list[ServiceType]


def import_sites(upload, *, user) -> ImportResult:
    """Check every row of an uploaded sites file; save all of them or none."""
    result = check_sites(upload)
    return save_sites(result, user=user) if result.ok else result


def check_sites(upload) -> ImportResult:
    """The preview of a sites file: each row checked by SiteImportForm, nothing saved.
    Raises TableError for a file that cannot be read or lacks a required column."""
    header, rows = read_table(upload)
    _missing_columns(header, SITE_REQUIRED)
    columns = [c for c in SITE_COLUMNS if c in header and c != "id"]
    result = ImportResult(fields=[c for c in columns if c != "services"])
    ignored = [c for c in IGNORED_SITE_COLUMNS if c in header]
    if ignored:
        result.notes.append(
            _(
                "Not imported: the columns %(columns)s. Hazard flags follow the open findings "
                "of inspections."
            )
            % {"columns": ", ".join(ignored)}
        )

    codes = {r.get("code", "").strip() for _n, r in rows} - {""}
    ids = {parse_id(r.get("id", "")) for _n, r in rows} - {None}
    # With their services' floor area, which Site.clean() checks the site's against.
    existing = Site.objects.filter(Q(code__in=codes) | Q(pk__in=ids)).annotate(
        floor_area_in_services=Sum("services__floor_area_m2")
    )
    by_code = {s.code: s for s in existing if s.code}
    by_id = {s.pk: s for s in existing}
    lookups = {}
    if "area" in columns:
        lookups["area"] = {a.code: a for a in Area.objects.all()}
    if "services" in columns:
        lookups["services"] = {s.code: s for s in ServiceType.objects.all()}

    RowForm = SiteImportForm.for_columns(columns)
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
        if instance is not None and instance.pk in used:
            errors.append(
                RowError(
                    number,
                    "id",
                    _("Row %(row)s updates the same site.") % {"row": used[instance.pk]},
                )
            )
            instance = None
        elif instance is not None:
            used[instance.pk] = number
        is_new = instance is None
        instance = Site() if is_new else instance
        stored = None if is_new else services.stored_values(instance, result.fields)
        form = RowForm(
            data=_form_data(values, instance, columns), instance=instance, lookups=lookups
        )
        if not form.is_valid() or form.other_errors:
            errors.extend(form.row_errors(number))
        if errors:
            result.errors.extend(errors)
            continue
        offered = form.cleaned_data.get("services", [])
        result.rows.append(_SiteRow(number, form.instance, stored, offered))
    result.created = sum(row.stored is None for row in result.rows)
    result.updated = len(result.rows) - result.created
    return result


def save_sites(result: ImportResult, *, user) -> ImportResult:
    """Save the checked rows of a sites file, with their first or changed status and the
    services they list, through the sites services; all together or nothing."""
    reason = _("Imported from a file")
    rows: list[_SiteRow] = result.rows

    def save() -> None:
        new = [row.site for row in rows if row.stored is None]
        services.create_sites(sites=new, user=user, reason=reason)
        services.update_sites(
            changes=[(row.site, row.stored) for row in rows if row.stored is not None],
            fields=result.fields,
            user=user,
            reason=reason,
        )
        services.offer_services(
            offers=[(row.site, row.services) for row in rows], user=user, reason=reason
        )

    return _save(result, save)


def site_rows(sites: QuerySet[Site]) -> list[list]:
    """The sites as rows of SITE_COLUMNS, in the form an import reads back."""
    from sites.selectors import site_table

    return [
        [_cell(site, column) for column in SITE_COLUMNS]
        for site in site_table(sites).order_by("name", "pk")
    ]


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
                    "services": _cell(site, "services"),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


# --- Areas ---------------------------------------------------------------------------------


def import_areas(upload, *, user=None) -> ImportResult:
    """Check every row of an uploaded areas file; save all of them or none."""
    result = check_areas(upload)
    return save_areas(result, user=user) if result.ok else result


def check_areas(upload) -> ImportResult:
    """The preview of an areas file: each row checked by AreaImportForm, nothing saved."""
    header, rows = read_table(upload)
    _missing_columns(header, AREA_REQUIRED)
    columns = [c for c in AREA_COLUMNS if c in header]
    result = ImportResult(fields=columns)
    codes = {r.get("code", "").strip() for _n, r in rows} - {""}
    existing = Area.objects.in_bulk(codes, field_name="code")
    RowForm = AreaImportForm.for_columns(columns)
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
        instance = existing.get(code) or Area()
        stored = None if instance.pk is None else services.stored_values(instance, columns)
        form = RowForm(data=_form_data(values, instance, columns), instance=instance)
        if not form.is_valid() or form.other_errors:
            result.errors.extend(form.row_errors(number))
            continue
        result.rows.append((form.instance, stored))
    result.created = sum(stored is None for _area, stored in result.rows)
    result.updated = len(result.rows) - result.created
    return result


def save_areas(result: ImportResult, *, user) -> ImportResult:
    reason = _("Imported from a file")
    rows: list[tuple[Area, dict | None]] = result.rows

    def save() -> None:
        services.create_areas(
            areas=[area for area, stored in rows if stored is None], user=user, reason=reason
        )
        services.update_areas(
            changes=[(area, stored) for area, stored in rows if stored is not None],
            fields=result.fields,
            user=user,
            reason=reason,
        )

    return _save(result, save)


def area_rows(areas: QuerySet[Area]) -> list[list]:
    """The areas as rows of AREA_COLUMNS, in the form an import reads back."""
    return [[_cell(area, column) for column in AREA_COLUMNS] for area in areas.order_by("code")]


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


# --- Cells ---------------------------------------------------------------------------------


def _cell(record: models.Model, column: str):
    """A record's value as an import reads it back: related records and services by code,
    yes/no, JSON as text, blank for none."""
    if column == "id":
        return record.pk
    if column == "services":
        return ";".join(s.service_type.code for s in record.services.all())
    model_field = record._meta.get_field(column)
    value = getattr(record, column)
    if model_field.is_relation:
        return value.code if value is not None else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(model_field, models.JSONField):
        return json.dumps(value, ensure_ascii=False) if value else ""
    return "" if value is None else value


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
