"""Residential points: the model's rule, the one area rule, and imports from CSV, XLSX and
GeoJSON (all rows or none, errors beside the row, updates by code)."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from fenglin.tabular import TableError
from sites.models import ResidentialPoint
from sites.residential_imports import (
    RESIDENTIAL_COLUMNS,
    import_residential_points,
    residential_geojson,
    residential_rows,
)
from tests.builders import make_area, make_residential_point
from tests.sites.builders import csv_upload, read_csv, upload_from_response, xlsx_upload

HEADER = ["code", "name", "name_en", "kind", "lat", "lng", "area_code", "population_total",
          "population_elderly"]  # fmt: skip


@pytest.fixture
def areas(db):
    north = make_area(code="north", centroid_lat=Decimal("31.198000"))
    south = make_area(code="south", centroid_lat=Decimal("31.190000"))
    return north, south


def geojson_upload(features: list[dict], name: str = "homes.geojson"):
    collection = {"type": "FeatureCollection", "features": features}
    return SimpleUploadedFile(name, json.dumps(collection, ensure_ascii=False).encode())


def point_feature(lng, lat, **properties) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lng, lat]},
        "properties": properties,
    }


# --- The model -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_database_refuses_more_elderly_than_residents():
    point = make_residential_point(population_total=100, population_elderly=100)
    ResidentialPoint.objects.filter(pk=point.pk).update(population_elderly=50)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResidentialPoint.objects.filter(pk=point.pk).update(population_elderly=101)


@pytest.mark.django_db
def test_validation_names_the_elderly_field():
    point = ResidentialPoint(
        code="x",
        name="x",
        latitude=Decimal("31.19"),
        longitude=Decimal("121.45"),
        population_total=10,
        population_elderly=11,
    )
    with pytest.raises(ValidationError) as raised:
        point.full_clean()
    assert "population_elderly" in raised.value.message_dict


@pytest.mark.django_db
def test_population_for_groups_like_an_area():
    point = make_residential_point(
        population_total=900, population_elderly=200, population_children_0_6=30,
        population_children_7_14=40, population_disabled=None,
    )  # fmt: skip
    assert point.population_for("all") == 900
    assert point.population_for("elderly") == 200
    assert point.population_for("children") == 70
    assert point.population_for("disabled") is None


def test_a_point_without_an_area_joins_the_one_its_coordinates_fall_in(areas):
    north, south = areas
    near_south = make_residential_point(latitude=Decimal("31.190500"))
    near_north = make_residential_point(latitude=Decimal("31.197500"))
    assert near_south.area == south
    assert near_north.area == north
    # A given area is kept, whatever the coordinates say.
    assert make_residential_point(latitude=Decimal("31.190500"), area=north).area == north


# --- Importing -----------------------------------------------------------------------------


def test_a_good_csv_creates_points_and_places_those_without_an_area(areas):
    north, south = areas
    upload = csv_upload(
        HEADER,
        [
            [
                "fl-1",
                "枫林小区",
                "Fenglin Estate",
                "小区",
                "31.198100",
                "121.455",
                "north",
                "800",
                "240",
            ],
            ["fl-2", "零陵小区", "", "building", "31.190200", "121.455", "", "600", ""],
        ],  # fmt: skip
    )
    result = import_residential_points(upload)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 0)
    one, two = ResidentialPoint.objects.order_by("code")
    assert (one.name_en, one.kind, one.area, one.population_elderly) == (
        "Fenglin Estate",
        "estate",
        north,
        240,
    )
    assert (two.kind, two.area, two.population_elderly) == ("building", south, None)


def test_a_bad_row_is_reported_beside_it_and_nothing_is_saved(areas):
    upload = csv_upload(
        HEADER,
        [
            ["ok-1", "好小区", "", "", "31.198", "121.455", "north", "800", "200"],
            ["bad-1", "坏小区", "", "", "31.198", "121.455", "nowhere", "100", "150"],
        ],
    )
    result = import_residential_points(upload)
    assert not result.ok
    problems = {(e.row, e.column) for e in result.errors}
    # Row 3 of the sheet (the header is row 1), under the file's own column names.
    assert (3, "area_code") in problems
    assert (3, "population_elderly") in problems
    assert all(e.row == 3 for e in result.errors)
    assert not ResidentialPoint.objects.exists()


def test_a_row_updates_the_point_with_its_code(areas):
    north, south = areas
    point = make_residential_point(code="fl-1", name="旧名", population_elderly=None, area=north)
    result = import_residential_points(
        xlsx_upload(
            ["code", "name", "lat", "lng", "population_total"],
            [["fl-1", "新名", "31.190100", "121.455000", 1500]],
        )  # fmt: skip
    )
    assert result.ok, result.errors
    assert (result.created, result.updated) == (0, 1)
    point.refresh_from_db()
    # Without an area code the point moved to the area its new position falls in.
    assert (point.name, point.population_total, point.area) == ("新名", 1500, south)
    assert ResidentialPoint.objects.count() == 1


def test_a_file_without_a_required_column_is_refused(areas):
    with pytest.raises(TableError):
        import_residential_points(csv_upload(["code", "name", "lat"], [["a", "b", "31.19"]]))


def test_geojson_points_import_with_their_properties(areas):
    north, _south = areas
    upload = geojson_upload(
        [
            point_feature(
                121.455,
                31.1981,
                code="g-1",
                name="东安一村",
                name_en="Dong'an No. 1",
                area_code="north",
                population_total=1200,
                population_elderly=400,
                illustrative=True,
            ),
            point_feature(121.455, 31.1902, code="g-2", name="东安二村", population_total=700),
        ]  # fmt: skip
    )
    result = import_residential_points(upload)
    assert result.ok, result.errors
    one, two = ResidentialPoint.objects.order_by("code")
    assert (one.latitude, one.longitude) == (Decimal("31.198100"), Decimal("121.455000"))
    assert (one.area, one.population_elderly, one.illustrative) == (north, 400, True)
    assert two.area.code == "south"


def test_a_geojson_feature_that_is_not_a_point_is_reported_and_nothing_saved(areas):
    line = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[121.45, 31.19], [121.46, 31.19]]},
        "properties": {"code": "l-1", "name": "线"},
    }
    upload = geojson_upload([point_feature(121.455, 31.19, code="p-1", name="点"), line])
    result = import_residential_points(upload)
    assert [(e.row, e.column) for e in result.errors] == [(2, "geometry")]
    assert not ResidentialPoint.objects.exists()


def test_a_file_that_is_not_a_feature_collection_is_refused(db):
    with pytest.raises(TableError):
        import_residential_points(SimpleUploadedFile("x.geojson", b'{"type": "Point"}'))
    with pytest.raises(TableError):
        import_residential_points(SimpleUploadedFile("x.geojson", b"[1, NaN]"))


# --- Exporting and the staff pages ---------------------------------------------------------


def test_an_export_imports_back_to_the_same_points(areas):
    make_residential_point(code="a-1", name="甲", area=areas[0], notes="=SUM(1)")
    make_residential_point(code="a-2", name="乙", population_elderly=None)
    rows = residential_rows(ResidentialPoint.objects.all())
    result = import_residential_points(csv_upload(RESIDENTIAL_COLUMNS, rows))
    assert result.ok, result.errors
    assert (result.created, result.updated) == (0, 2)
    geojson = residential_geojson(ResidentialPoint.objects.all())
    result = import_residential_points(geojson_upload(geojson["features"]))
    assert (result.ok, result.created, result.updated) == (True, 0, 2)


def test_staff_import_and_export_pages(planner_client, areas):
    url = reverse("sites:residential_import")
    assert planner_client.get(url).status_code == 200
    upload = csv_upload(HEADER, [["w-1", "宛南新村", "", "", "31.198", "121.455", "", "900", ""]])
    response = planner_client.post(url, {"file": upload})
    assert response.status_code == 302
    assert ResidentialPoint.objects.get().area == areas[0]
    bad = csv_upload(HEADER, [["w-2", "x", "", "", "31.198", "121.455", "", "10", "20"]])
    response = planner_client.post(url, {"file": bad})
    assert response.status_code == 200
    assert "population_elderly" in response.content.decode()
    export = planner_client.get(reverse("sites:residential_export", args=["csv"]))
    assert read_csv(export.content)[1][0] == "w-1"
    geojson = planner_client.get(reverse("sites:residential_export", args=["geojson"]))
    again = planner_client.post(url, {"file": upload_from_response(geojson, "homes.geojson")})
    assert again.status_code == 302


def test_viewers_cannot_import(viewer_client, db):
    assert viewer_client.get(reverse("sites:residential_import")).status_code == 403


def test_the_area_page_lists_its_estates_with_their_residents(planner_client, areas, english):
    north, south = areas
    make_residential_point(
        name="枫林小区", name_en="Fenglin Estate", area=north, population_total=1234,
        population_elderly=321, illustrative=True,
    )  # fmt: skip
    page = planner_client.get(north.get_absolute_url()).content.decode()
    assert 'id="area-residences"' in page
    assert "Fenglin Estate" in page and "1,234" in page and "321" in page
    assert 'Housing estates <span class="muted">(illustrative)</span>' in page
    empty = planner_client.get(south.get_absolute_url()).content.decode()
    assert 'id="area-residences"' not in empty
    assert "No housing estate is recorded in this area" in empty


def test_the_admin_lists_searches_and_places_a_new_point(admin_client, areas):
    north, _south = areas
    make_residential_point(code="lst-1", name="龙山新村", area=north)
    changelist = reverse("admin:sites_residentialpoint_changelist")
    assert "龙山新村" in admin_client.get(changelist, {"q": "龙山"}).content.decode()
    assert admin_client.get(changelist, {"area__id__exact": north.pk}).status_code == 200
    response = admin_client.post(
        reverse("admin:sites_residentialpoint_add"),
        {"code": "adm-1", "name": "天钥新村", "kind": "estate", "latitude": "31.197900",
         "longitude": "121.455000", "population_total": "500", "population_elderly": "600"},
    )  # fmt: skip
    assert response.status_code == 200  # more elderly than residents: refused beside the field
    assert "population_elderly" in response.context["adminform"].form.errors
    response = admin_client.post(
        reverse("admin:sites_residentialpoint_add"),
        {"code": "adm-1", "name": "天钥新村", "kind": "estate", "latitude": "31.197900",
         "longitude": "121.455000", "population_total": "500"},
    )  # fmt: skip
    assert response.status_code == 302
    assert ResidentialPoint.objects.get(code="adm-1").area == north


def test_import_queries_do_not_grow_with_the_rows(areas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(n: int, prefix: str, residents: int) -> int:
        rows = [[f"{prefix}-{i}", f"小区{i}", "", "", "31.19", "121.455", "", residents, ""]
                for i in range(n)]  # fmt: skip
        with CaptureQueriesContext(connection) as captured:
            assert import_residential_points(csv_upload(HEADER, rows)).ok
        return len(captured)

    assert queries(40, "b", 100) == queries(4, "a", 100)  # new points
    assert queries(40, "b", 200) == queries(4, "a", 200)  # every point updated
