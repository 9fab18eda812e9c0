"""Import and export of residential points: CSV and XLSX through fenglin.tabular, and GeoJSON
(a FeatureCollection of Points whose properties are the same columns).

The declarative pattern of sites.imports: every row is checked by a row form (areas named by
their code, the model's own validation), nothing is saved unless every row is valid, and then
all rows are saved in one transaction through sites.residential_services. A row updates the
point with the same code. A point without an area code gets the area its coordinates fall in
(the one rule, sites.selectors.area_for_point). Exports write the same columns, so an exported
file imports back to the same points.
"""

from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fenglin.tabular import Limits, Table, TableError, read_table, unescape_formula
from sites import residential_services
from sites.forms import ImportForm
from sites.imports import (
    CodeChoiceField,
    ImportResult,
    RowError,
    RowForm,
    TolerantBooleanField,
    _form_data,
    _missing_columns,
    _row_values,
    _save,
)
from sites.models import Area, ResidentialPoint
from sites.residential import ResidentialKind
from sites.services import stored_values
from sites.validators import parse_json_text

# A file's column -> the model's field, in the order files have them.
FIELD_OF_COLUMN = {
    "code": "code",
    "name": "name",
    "name_en": "name_en",
    "kind": "kind",
    "lat": "latitude",
    "lng": "longitude",
    "area_code": "area",
    "households": "households",
    "population_total": "population_total",
    "population_elderly": "population_elderly",
    "population_children_0_6": "population_children_0_6",
    "population_children_7_14": "population_children_7_14",
    "population_disabled": "population_disabled",
    "illustrative": "illustrative",
    "notes": "notes",
}
COLUMN_OF_FIELD = {field: column for column, field in FIELD_OF_COLUMN.items()}
RESIDENTIAL_COLUMNS = list(FIELD_OF_COLUMN)
RESIDENTIAL_REQUIRED = ["code", "name", "lat", "lng"]
# Words files use for the kind, besides the codes themselves.
KIND_WORDS = {
    "小区": ResidentialKind.ESTATE,
    "住宅小区": ResidentialKind.ESTATE,
    "housing estate": ResidentialKind.ESTATE,
    "楼": ResidentialKind.BUILDING,
    "楼栋": ResidentialKind.BUILDING,
    "楼宇": ResidentialKind.BUILDING,
}
GEOJSON_SUFFIXES = (".geojson", ".json")


class ResidentialPointImportForm(RowForm):
    """A row of a residential points file."""

    # The model's one constraint (the elderly within the total) is its clean()'s own check.
    per_row_constraints = False

    area = CodeChoiceField(
        Area.objects.all(),
        required=False,
        message=gettext_lazy("No area has the code %(code)s."),
    )

    class Meta:
        model = ResidentialPoint
        fields = ResidentialPoint.EDITABLE_FIELDS
        field_classes = {"illustrative": TolerantBooleanField}


class ResidentialFileForm(ImportForm):
    """An uploaded CSV, XLSX or GeoJSON file of residential points, bounded in size."""

    EXTENSIONS = {".csv", ".xlsx", *GEOJSON_SUFFIXES}

    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or GB18030) or Excel .xlsx, the first row naming the columns; or "
            "GeoJSON, a FeatureCollection of points with the columns as properties."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.geojson,.json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in self.EXTENSIONS:
            raise forms.ValidationError(_("Upload a .csv, .xlsx or .geojson file."))
        return super().clean_file()


def import_residential_points(upload, *, user=None) -> ImportResult:
    """Check every row of an uploaded file; save all of them or none."""
    result = check_residential_points(upload)
    return save_residential_points(result) if result.ok else result


def check_residential_points(upload) -> ImportResult:
    """The preview of a file: each row checked by ResidentialPointImportForm, nothing saved.
    Raises TableError for a file that cannot be read or lacks a required column."""
    if (getattr(upload, "name", "") or "").lower().endswith(GEOJSON_SUFFIXES):
        (header, rows), problems = read_geojson_points(upload)
    else:
        (header, rows), problems = read_table(upload), {}
    _missing_columns(header, RESIDENTIAL_REQUIRED)
    fields = [FIELD_OF_COLUMN[c] for c in RESIDENTIAL_COLUMNS if c in header]
    # The area is always written: without a code, the one rule places the point again.
    result = ImportResult(fields=[*fields, *(["area"] if "area" not in fields else [])])
    codes = {r.get("code", "").strip() for _n, r in rows} - {""}
    existing = ResidentialPoint.objects.in_bulk(codes, field_name="code")
    lookups = {"area": {a.code: a for a in Area.objects.all()}} if "area" in fields else {}
    RowForm = ResidentialPointImportForm.for_columns(fields)
    seen: dict[str, int] = {}
    for number, raw in rows:
        if number in problems:
            result.errors.append(RowError(number, "geometry", problems[number]))
            continue
        values = _field_values(raw)
        code = values.get("code", "")
        if code and code in seen:
            result.errors.append(
                RowError(number, "code", _("Row %(row)s has the same code.") % {"row": seen[code]})
            )
            continue
        seen[code] = number
        instance = existing.get(code) or ResidentialPoint()
        stored = None if instance.pk is None else stored_values(instance, result.fields)
        data = _form_data(values, instance, fields)
        if "kind" in data and not data["kind"]:
            data["kind"] = instance.kind
        form = RowForm(data=data, instance=instance, lookups=lookups)
        if not form.is_valid() or form.other_errors:
            result.errors.extend(
                RowError(e.row, COLUMN_OF_FIELD.get(e.column, e.column), e.reason)
                for e in form.row_errors(number)
            )
            continue
        point = form.instance
        if form.cleaned_data.get("area") is None:
            point.area = None
        result.rows.append((point, stored))
    result.created = sum(stored is None for _point, stored in result.rows)
    result.updated = len(result.rows) - result.created
    return result


def save_residential_points(result: ImportResult) -> ImportResult:
    """Save the checked rows all together, or nothing."""
    rows: list[tuple[ResidentialPoint, dict | None]] = result.rows

    def save() -> None:
        residential_services.create_residential_points(
            points=[point for point, stored in rows if stored is None]
        )
        residential_services.update_residential_points(
            changes=[(point, stored) for point, stored in rows if stored is not None],
            fields=result.fields,
        )

    return _save(result, save)


def _field_values(raw: dict[str, str]) -> dict[str, str]:
    """A file row's cells by the model's field names, cleaned as sites.imports cleans them."""
    values = _row_values({FIELD_OF_COLUMN[c]: v for c, v in raw.items() if c in FIELD_OF_COLUMN})
    if "name_en" in values:
        values["name_en"] = unescape_formula(values["name_en"])
    if "kind" in values:
        kind = values["kind"].lower()
        values["kind"] = KIND_WORDS.get(kind, kind)
    return values


# --- GeoJSON -------------------------------------------------------------------------------


def read_geojson_points(upload, *, limits: Limits | None = None) -> tuple[Table, dict[int, str]]:
    """The features of a GeoJSON FeatureCollection as table rows (numbered from 1): their
    properties, and lat/lng from a Point's coordinates. Features that are not a point are
    returned apart, by number, with the reason. Raises TableError for a file that is not a
    FeatureCollection or passes the upload limits."""
    from django.conf import settings

    limits = limits or Limits.from_settings()
    upload.seek(0)
    data = upload.read(settings.MAX_UPLOAD_BYTES + 1)
    if len(data) > settings.MAX_UPLOAD_BYTES:
        raise TableError(_("The file is larger than the upload limit."))
    try:
        collection = parse_json_text(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise TableError(_("The file is not UTF-8 text.")) from None
    except ValidationError as error:
        raise TableError(" ".join(error.messages)) from None
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise TableError(_("The file is not a GeoJSON FeatureCollection."))
    features = collection.get("features")
    if not isinstance(features, list):
        raise TableError(_("The file is not a GeoJSON FeatureCollection."))
    if len(features) > limits.rows:
        raise TableError(
            _("The file has more than %(limit)s rows. Split it into smaller files.")
            % {"limit": limits.rows}
        )
    header = {"lat", "lng"}
    rows, problems = [], {}
    for number, feature in enumerate(features, start=1):
        feature = feature if isinstance(feature, dict) else {}
        properties = feature.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        row = {str(name).strip().lower(): _property_text(v) for name, v in properties.items()}
        geometry = feature.get("geometry")
        geometry = geometry if isinstance(geometry, dict) else {}
        coordinates = geometry.get("coordinates")
        if geometry.get("type") == "Point" and _is_position(coordinates):
            row["lng"], row["lat"] = str(coordinates[0]), str(coordinates[1])
        else:
            problems[number] = _("The feature is not a Point with longitude and latitude.")
        header.update(row)
        rows.append((number, row))
    return Table(sorted(header), rows), problems


def _is_position(value) -> bool:
    return (
        isinstance(value, list)
        and len(value) >= 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value[:2])
    )


def _property_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- Export --------------------------------------------------------------------------------


def residential_rows(points: QuerySet[ResidentialPoint]) -> list[list]:
    """The points as rows of RESIDENTIAL_COLUMNS, in the form an import reads back."""
    return [
        [_cell(point, FIELD_OF_COLUMN[column]) for column in RESIDENTIAL_COLUMNS]
        for point in points.select_related("area").order_by("code")
    ]


def residential_geojson(points: QuerySet[ResidentialPoint]) -> dict:
    """A GeoJSON FeatureCollection of points (WGS-84 longitude, latitude) that QGIS opens and
    this import reads back."""
    features = []
    for point in points.select_related("area").order_by("code"):
        properties = {
            column: getattr(point, FIELD_OF_COLUMN[column])
            for column in RESIDENTIAL_COLUMNS
            if column not in ("lat", "lng", "area_code")
        }
        properties["area_code"] = point.area.code if point.area else None
        features.append(
            {
                "type": "Feature",
                "id": point.pk,
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(point.longitude), float(point.latitude)],
                },
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _cell(point: ResidentialPoint, field: str):
    value = getattr(point, field)
    if field == "area":
        return value.code if value is not None else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else value
