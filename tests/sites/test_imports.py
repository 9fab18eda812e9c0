import json
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from sites.models import Area, Site, SiteService, SiteStatus, SiteStatusChange
from tests.builders import make_area, make_service_type, make_site, make_site_service
from tests.sites.builders import (
    SITE_HEADER,
    crafted_xlsx,
    csv_upload,
    read_csv,
    read_xlsx,
    sheet_row,
    upload_from_response,
    xlsx_upload,
)

IMPORT = reverse("sites:site_import")


def good_rows(area_code: str) -> list[list]:
    return [
        ["lingling-231", "零陵路231号", "零陵路231号", "31.193800", "121.449600", area_code,
         "operating", "committee_office;elderly_day_care;health_station"],
        ["zs-930", "中山南二路930号", "中山南二路930号", "31.186900", "121.456200", "",
         "candidate", ""],
    ]  # fmt: skip


def post(client, upload):
    return client.post(IMPORT, {"file": upload})


def report(response) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in response.context["result"].errors]


@pytest.mark.django_db
@pytest.mark.parametrize("builder", [csv_upload, xlsx_upload], ids=["csv", "xlsx"])
def test_a_good_file_imports_every_row(planner_client, planner, builder):
    area = make_area(code="lingling")
    name = "sites.csv" if builder is csv_upload else "sites.xlsx"
    response = post(planner_client, builder(SITE_HEADER, good_rows("lingling"), name))
    assert response.status_code == 302
    site = Site.objects.get(code="lingling-231")
    assert (site.area, site.status, site.latitude) == (area, "operating", Decimal("31.193800"))
    assert set(site.services.values_list("service_type__code", flat=True)) == {
        "committee_office",
        "elderly_day_care",
        "health_station",
    }
    assert Site.objects.count() == 2
    assert SiteStatusChange.objects.filter(changed_by=planner).count() == 2


@pytest.mark.django_db
def test_importing_again_updates_by_code_instead_of_duplicating(planner_client):
    make_area(code="lingling")
    post(planner_client, csv_upload(SITE_HEADER, good_rows("lingling")))
    rows = good_rows("lingling")
    rows[1][1] = "中山南二路930号（新名）"
    rows[1][6] = "selected"
    response = post(planner_client, csv_upload(SITE_HEADER, rows))
    assert response.status_code == 302
    assert Site.objects.count() == 2
    assert SiteService.objects.count() == 3
    site = Site.objects.get(code="zs-930")
    assert (site.name, site.status) == ("中山南二路930号（新名）", "selected")
    assert site.status_changes.first().from_status == "candidate"


@pytest.mark.django_db
def test_a_bad_file_reports_each_bad_row_and_saves_nothing(planner_client, english):
    make_area(code="lingling")
    rows = good_rows("lingling") + [
        ["bad-1", "Too far", "x", "39.9", "121.45", "", "candidate", ""],
        ["bad-2", "No such area", "x", "31.19", "121.45", "nowhere", "candidate", ""],
        ["bad-3", "", "x", "north", "121.45", "", "flying", "sauna"],
        ["lingling-231", "Twice", "x", "31.19", "121.45", "", "candidate", ""],
        ["bad-5", "Closed", "x", "31.19", "121.45", "", "closed", ""],
    ]
    response = post(planner_client, csv_upload(SITE_HEADER, rows))
    assert response.status_code == 200
    found = report(response)
    assert (4, "latitude") in found
    assert (5, "area") in found
    assert {(6, "name"), (6, "latitude"), (6, "status"), (6, "services")} <= set(found)
    assert (7, "code") in found
    assert (8, "closed_reason") in found
    assert not any(row in (2, 3) for row, _column in found)
    assert Site.objects.count() == 0
    content = response.content.decode()
    assert "Nothing was saved" in content
    assert "outside the planning region" in content


@pytest.mark.django_db
def test_an_impossible_status_step_is_reported(planner_client):
    make_site(code="s1", status=SiteStatus.CANDIDATE)
    response = post(
        planner_client,
        csv_upload(
            ["code", "name", "address", "latitude", "longitude", "status"],
            [["s1", "S", "x", "31.19", "121.45", "operating"]],
        ),
    )
    assert report(response) == [(2, "status")]
    assert Site.objects.get(code="s1").status == SiteStatus.CANDIDATE


@pytest.mark.django_db
def test_missing_columns_are_named(planner_client, english):
    response = post(planner_client, csv_upload(["name", "address"], [["a", "b"]]))
    assert response.status_code == 200
    assert "latitude, longitude" in response.context["form"].errors["file"][0]


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused_with_the_limit(planner_client, settings, english):
    settings.MAX_UPLOAD_BYTES = 200
    rows = good_rows("") * 5
    response = post(planner_client, csv_upload(SITE_HEADER, rows))
    message = response.context["form"].errors["file"][0]
    assert "200" in message
    assert not Site.objects.exists()


@pytest.mark.django_db
def test_a_file_over_the_row_limit_is_refused(planner_client, settings, english):
    settings.MAX_IMPORT_ROWS = 3
    rows = [[f"s{i}", "S", "x", "31.19", "121.45", "", "candidate", ""] for i in range(4)]
    response = post(planner_client, csv_upload(SITE_HEADER, rows))
    assert "more than 3 rows" in response.context["form"].errors["file"][0]
    assert not Site.objects.exists()
    response = post(planner_client, csv_upload(SITE_HEADER, rows[:3]))
    assert response.status_code == 302
    assert Site.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("sites.xlsx", b"this is not a workbook"),
        ("sites.csv", b"\x00\x01\x02binary"),
        ("sites.pdf", b"%PDF-1.4"),
        ("sites.csv", b""),
    ],
)
def test_unreadable_files_get_a_message_not_a_crash(planner_client, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = post(planner_client, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Site.objects.exists()


@pytest.mark.django_db
def test_gb18030_csv_from_chinese_excel_is_read(planner_client):
    text = "code,name,address,latitude,longitude\nx1,东安菜市场,东安路,31.1943,121.4533\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = post(planner_client, SimpleUploadedFile("s.csv", text.encode("gb18030")))
    assert response.status_code == 302
    assert Site.objects.get(code="x1").name == "东安菜市场"


@pytest.mark.django_db
def test_importing_needs_add_and_change_permissions(viewer_client):
    response = post(viewer_client, csv_upload(SITE_HEADER, good_rows("")))
    assert response.status_code == 403
    assert not Site.objects.exists()


# --- Hypothesis: bad rows never crash and never save --------------------------------------

VALID = ["ok-1", "Good", "零陵路", "31.190000", "121.450000", "", "candidate", ""]
junk = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=30)
bad_value = st.one_of(
    st.tuples(st.just(3), st.floats(min_value=-1e9, max_value=31.14) | st.floats(min_value=31.25)),
    st.tuples(st.just(3), st.text(alphabet="abcxyz.,-", min_size=1, max_size=10)),
    st.tuples(st.just(4), st.floats(min_value=121.52, allow_infinity=True) | st.just("nan")),
    st.tuples(st.just(1), st.just("")),
    st.tuples(st.just(1), st.text(alphabet="abc零", min_size=151, max_size=200)),
    st.tuples(st.just(5), st.text(alphabet="qwrtz", min_size=1, max_size=8)),
    st.tuples(st.just(6), st.text(alphabet="qwrtz", min_size=1, max_size=8)),
    st.tuples(st.just(7), st.text(alphabet="qwrtz", min_size=1, max_size=8)),
    st.tuples(st.just(0), st.text(alphabet="!?#/ ", min_size=1, max_size=5).filter(str.strip)),
)


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    bad=st.lists(bad_value, min_size=1, max_size=3),
    noise=st.lists(st.tuples(st.sampled_from([1, 2]), junk), max_size=3),
    fmt=st.sampled_from(["csv", "xlsx"]),
)
def test_hypothesis_bad_rows_never_crash_and_save_nothing(planner_client, bad, noise, fmt):
    row = list(VALID)
    row[0] = "bad-row"
    for column, value in noise:
        row[column] = value or "x"
    for column, value in bad:
        row[column] = value
    builder = csv_upload if fmt == "csv" else xlsx_upload
    before = (Site.objects.count(), SiteService.objects.count(), Site.history.count())
    response = post(planner_client, builder(SITE_HEADER, [VALID, row], f"sites.{fmt}"))
    assert response.status_code == 200
    assert (Site.objects.count(), SiteService.objects.count(), Site.history.count()) == before
    result = response.context.get("result")
    if result is not None:
        assert result.errors and all(error.row == 3 for error in result.errors)
    else:
        assert response.context["form"].errors


# --- Export ---------------------------------------------------------------------------------


FILE_FIELDS = [
    "code", "name", "address", "latitude", "longitude", "area_id", "floor_area_m2", "ownership",
    "status", "closed_reason", "visitors_per_month", "illustrative", "notes",
]  # fmt: skip
HAZARDS = ["hazard_fire", "hazard_building", "hazard_food"]


def snapshot(fields: list[str] = FILE_FIELDS + HAZARDS) -> list[tuple]:
    return [
        (*values, tuple(sorted(site.services.values_list("service_type__code", flat=True))))
        for site, values in (
            (site, tuple(getattr(site, f) for f in fields)) for site in Site.objects.order_by("pk")
        )
    ]


def varied_sites():
    area = make_area(code="lingling")
    a = make_site(
        code="tianlong",
        name="天龙生活盒子",
        area=area,
        floor_area_m2=Decimal("1376"),
        notes='=HYPERLINK("http://x")',
        hazard_fire=True,
        visitors_per_month=9000,
        illustrative=True,
    )
    for code in ("canteen", "laundry", "bakery"):
        make_site_service(a, make_service_type(code))
    # Without an area, over 1 km from the one area's centre: no area comes from the coordinates.
    away = {"latitude": Decimal("31.185000"), "longitude": Decimal("121.445000")}
    make_site(name="-3 floors", address="+86 零陵路", floor_area_m2=None, ownership="leased",
                   **away)  # fmt: skip
    make_site(status=SiteStatus.CLOSED, closed_reason="Fire hazard, merged", code="old",
                   **away)  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_gives_the_same_sites(planner_client, fmt):
    varied_sites()
    before = snapshot()
    exported = planner_client.get(reverse("sites:site_export", args=[fmt]))
    assert exported.status_code == 200
    # Someone edits the register; importing the export restores it, adding nothing.
    Site.objects.update(name="changed", notes="", visitors_per_month=None)
    response = post(planner_client, upload_from_response(exported, f"sites.{fmt}"))
    assert response.status_code == 302, response.context and response.context.get("report")
    assert snapshot() == before


@pytest.mark.django_db
def test_coded_sites_export_and_import_into_an_empty_register(planner_client):
    varied_sites()
    # Hazard flags are not in files: they follow the inspections of this register.
    before = sorted(row for row in snapshot(FILE_FIELDS) if row[0])
    exported = planner_client.get(reverse("sites:site_export", args=["csv"]))
    rows = read_csv(exported.content)
    # A file for another register: the coded sites, without this database's ids.
    header = rows[0]
    coded = [[""] + row[1:] for row in rows[1:] if row[header.index("code")]]
    SiteService.objects.all().delete()
    Site.objects.all().delete()
    response = post(planner_client, csv_upload(header, coded))
    assert response.status_code == 302
    assert sorted(snapshot(FILE_FIELDS)) == before
    assert not Site.objects.hazardous().exists()


@pytest.mark.django_db
def test_exports_escape_formulas_for_spreadsheets(planner_client):
    varied_sites()
    csv_rows = read_csv(planner_client.get(reverse("sites:site_export", args=["csv"])).content)
    xlsx_rows = read_xlsx(planner_client.get(reverse("sites:site_export", args=["xlsx"])).content)
    notes = csv_rows[0].index("notes")
    assert any(row[notes] == '\'=HYPERLINK("http://x")' for row in csv_rows[1:])
    assert any(row[notes] == '\'=HYPERLINK("http://x")' for row in xlsx_rows[1:])


@pytest.mark.django_db
def test_exports_follow_the_filters(planner_client):
    varied_sites()
    url = reverse("sites:site_export", args=["csv"]) + "?status=closed"
    rows = read_csv(planner_client.get(url).content)
    assert [row[1] for row in rows[1:]] == ["old"]


@pytest.mark.django_db
def test_geojson_is_a_feature_collection_of_points(planner_client):
    varied_sites()
    response = planner_client.get(reverse("sites:site_export", args=["geojson"]) + "?hazard=fire")
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    site = Site.objects.get(code="tianlong")
    [feature] = data["features"]
    assert feature["geometry"] == {
        "type": "Point",
        "coordinates": [float(site.longitude), float(site.latitude)],
    }
    assert feature["properties"]["name"] == "天龙生活盒子"
    assert feature["properties"]["services"] == "canteen;laundry;bakery" or set(
        feature["properties"]["services"].split(";")
    ) == {"canteen", "laundry", "bakery"}


@pytest.mark.django_db
def test_an_unknown_export_format_is_404(planner_client):
    assert planner_client.get(reverse("sites:site_export", args=["pdf"])).status_code == 404


# --- Areas ---------------------------------------------------------------------------------

AREA_HEADER = ["code", "name", "centroid_lat", "centroid_lng", "population_total",
               "population_elderly", "boundary"]  # fmt: skip
SQUARE = json.dumps(
    {
        "type": "Polygon",
        "coordinates": [[[121.45, 31.19], [121.46, 31.19], [121.46, 31.2], [121.45, 31.19]]],
    }
)
BOW_TIE = json.dumps(
    {
        "type": "Polygon",
        "coordinates": [
            [[121.45, 31.19], [121.46, 31.196], [121.46, 31.19], [121.45, 31.196], [121.45, 31.19]]
        ],
    }
)


@pytest.mark.django_db
def test_areas_import_and_update_by_code(planner_client):
    url = reverse("sites:area_import")
    rows = [["dongan-1", "东安一村", "31.1935", "121.4575", "5000", "1800", SQUARE]]
    assert planner_client.post(url, {"file": csv_upload(AREA_HEADER, rows)}).status_code == 302
    rows[0][4] = "5200"
    assert (
        planner_client.post(url, {"file": xlsx_upload(AREA_HEADER, rows, "a.xlsx")}).status_code
        == 302
    )
    area = Area.objects.get()
    assert (area.population_total, area.boundary["type"]) == (5200, "Polygon")


@pytest.mark.django_db
def test_bad_area_rows_are_reported_and_nothing_saved(planner_client, english):
    url = reverse("sites:area_import")
    rows = [
        ["dongan-1", "东安一村", "31.1935", "121.4575", "5000", "1800", ""],
        ["dongan-2", "东安二村", "31.1935", "121.4575", "100", "200", ""],
        ["dongan-3", "东安三村", "31.1935", "121.4575", "", "", BOW_TIE],
        ["dongan-4", "东安四村", "31.1935", "121.4575", "", "", "{not json"],
        ["dongan 5", "东安五村", "31.1935", "121.4575", "-3", "", ""],
    ]
    response = planner_client.post(url, {"file": csv_upload(AREA_HEADER, rows)})
    found = report(response)
    assert (3, "") in found  # elderly above total: the model's constraint
    assert (4, "boundary") in found and (5, "boundary") in found
    assert (6, "code") in found and (6, "population_total") in found
    assert "Self-intersection" in response.content.decode()
    assert not Area.objects.exists()


@pytest.mark.django_db
def test_areas_export_then_import_gives_the_same_areas(planner_client):
    make_area(code="a1", boundary=json.loads(SQUARE), centroid_lat=Decimal("31.195"),
                   centroid_lng=Decimal("121.455"))  # fmt: skip
    make_area(code="a2", population_total=None, population_elderly=None)
    fields = ["code", "name", "centroid_lat", "centroid_lng", "population_total",
              "population_elderly", "households", "boundary", "illustrative"]  # fmt: skip
    before = list(Area.objects.order_by("code").values_list(*fields))
    for fmt in ("csv", "xlsx"):
        exported = planner_client.get(reverse("sites:area_export", args=[fmt]))
        Area.objects.update(name="changed", population_total=None, boundary=None)
        response = planner_client.post(
            reverse("sites:area_import"), {"file": upload_from_response(exported, f"a.{fmt}")}
        )
        assert response.status_code == 302
        assert list(Area.objects.order_by("code").values_list(*fields)) == before


@pytest.mark.django_db
def test_empty_status_and_ownership_cells_keep_the_defaults(planner_client):
    make_site(code="s1", status=SiteStatus.OPERATING, ownership="state")
    header = ["code", "name", "address", "latitude", "longitude", "status", "ownership"]
    rows = [
        ["s1", "S1", "x", "31.19", "121.45", "", ""],
        ["s2", "S2", "x", "31.19", "121.45", "", ""],
    ]
    assert post(planner_client, csv_upload(header, rows)).status_code == 302
    assert Site.objects.get(code="s1").status == SiteStatus.OPERATING
    assert Site.objects.get(code="s1").ownership == "state"
    assert (Site.objects.get(code="s2").status, Site.objects.get(code="s2").ownership) == (
        SiteStatus.CANDIDATE,
        "other",
    )


# --- Hostile files: limits checked while reading, clear row errors, never a 500 -------------


def file_error(response) -> str:
    assert response.status_code == 200
    return response.context["form"].errors["file"][0]


@pytest.mark.django_db
def test_an_id_that_only_looks_like_a_number_is_a_row_error(planner_client, english):
    # "²".isdigit() is true but int("²") fails.
    header = ["id", "name", "address", "latitude", "longitude"]
    response = post(planner_client, csv_upload(header, [["²", "S", "x", "31.19", "121.45"]]))
    assert response.status_code == 200
    assert report(response) == [(2, "id")]
    assert not Site.objects.exists()


@pytest.mark.django_db
def test_an_xlsx_reaching_far_below_its_data_is_refused_naming_the_limit(planner_client, english):
    # One value a million rows down; the sheet's dimension claims as much.
    rows = sheet_row(1, SITE_HEADER) + sheet_row(1_000_000, ["far-away"])
    upload = crafted_xlsx(rows, dimension="A1:H1000000")
    message = file_error(post(planner_client, upload))
    assert "row 1000000" in message and "10001 rows" in message
    assert not Site.objects.exists()


@pytest.mark.django_db
def test_an_xlsx_of_many_empty_rows_is_refused_naming_the_limit(planner_client, english, settings):
    settings.MAX_IMPORT_ROWS = 10
    rows = sheet_row(1, SITE_HEADER) + "".join(f'<row r="{i}"/>' for i in range(2, 200_000))
    message = file_error(post(planner_client, crafted_xlsx(rows)))
    assert "row 22" in message and "21 rows" in message


@pytest.mark.django_db
@pytest.mark.parametrize("shared", [False, True], ids=["inline", "shared"])
def test_a_huge_string_in_an_xlsx_is_refused_naming_the_row(planner_client, english, shared):
    huge = "天" * 40_000
    values = ["big", huge, "x", "31.19", "121.45", "", "candidate", ""]
    upload = crafted_xlsx(
        sheet_row(1, SITE_HEADER) + sheet_row(2, values, shared=[huge] if shared else []),
        shared_strings=[huge] if shared else [],
    )
    message = file_error(post(planner_client, upload))
    assert "32767 characters" in message
    assert shared or "row 2" in message  # shared strings are read before the rows
    assert not Site.objects.exists()


@pytest.mark.django_db
def test_a_huge_csv_cell_and_too_many_columns_are_refused_naming_row_and_limit(
    planner_client, english
):
    rows = [["big", "天" * 40_000, "x", "31.19", "121.45", "", "candidate", ""]]
    message = file_error(post(planner_client, csv_upload(SITE_HEADER, rows)))
    assert "row 2" in message and "32767 characters" in message
    rows = [["wide", "S", "x", "31.19", "121.45", "", "candidate", ""] + [""] * 60 + ["extra"]]
    message = file_error(post(planner_client, csv_upload(SITE_HEADER, rows)))
    assert "Row 2" in message and "60 columns" in message


@pytest.mark.django_db
def test_import_queries_do_not_grow_with_the_rows(planner):
    """Reading, validating and saving take a fixed number of queries per batch, not per row:
    new sites with their services, then the same sites updated."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sites import imports

    make_area(code="lingling")
    services = ["canteen", "laundry", "bakery"]
    for code in services:
        make_service_type(code)
    header = [*SITE_HEADER, "floor_area_m2"]

    def queries(count: int, prefix: str, status: str) -> int:
        rows = [
            [f"{prefix}-{i}", f"S{i}", "x", "31.19", "121.45", "lingling", status,
             ";".join(services), "300"]
            for i in range(count)
        ]  # fmt: skip
        with CaptureQueriesContext(connection) as captured:
            result = imports.import_sites(csv_upload(header, rows), user=planner)
        assert result.ok, result.errors
        assert (result.created or result.updated) == count
        return len(captured)

    assert queries(12, "many", "candidate") == queries(3, "few", "candidate")
    assert queries(12, "many", "selected") == queries(3, "few", "selected")  # updates
    assert SiteService.objects.count() == 15 * 3
    assert SiteStatusChange.objects.filter(to_status="selected").count() == 15
    assert Site.history.filter(history_type="~").count() == 15
    # As a save() would, each update moved the site's version on, and its history records it.
    assert set(Site.objects.values_list("version", flat=True)) == {2}
    assert set(Site.history.filter(history_type="~").values_list("version", flat=True)) == {2}


BAD_BOUNDARIES = [
    BOW_TIE,
    '{"type":"Polygon","coordinates":[[[NaN,31.19],[121.46,31.19],[121.46,31.2],[NaN,31.19]]]}',
    '{"type":"Polygon","coordinates":[[[1e309,31.19],[121.46,31.19],[121.46,31.2],[1e309,31.19]]]}',
    "[" * 3000 + "]" * 3000,
    '{"type":"Polygon","coordinates":' + "[" * 3000 + "]" * 3000 + "}",
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "boundary", BAD_BOUNDARIES, ids=["bow-tie", "nan", "1e309", "deep", "deeper"]
)
def test_area_import_checks_boundaries_exactly_as_the_area_form(planner, boundary):
    from sites import imports
    from sites.forms import AreaForm

    values = {"code": "dongan-1", "name": "东安一村", "centroid_lat": "31.1935",
              "centroid_lng": "121.4575", "boundary": boundary}  # fmt: skip
    form = AreaForm(data=values)
    assert not form.is_valid() and form.errors["boundary"]
    result = imports.import_areas(csv_upload(list(values), [list(values.values())]), user=planner)
    assert [(e.row, e.column) for e in result.errors] == [(2, "boundary")] * len(
        form.errors["boundary"]
    )
    assert [e.reason for e in result.errors] == form.errors["boundary"]
    assert not Area.objects.exists()


@pytest.mark.django_db
def test_a_floor_area_below_the_services_is_a_row_error(planner_client, english):
    site = make_site(code="s1", floor_area_m2=Decimal("500"))
    make_site_service(site, make_service_type("canteen"), floor_area_m2=Decimal("300"))
    header = ["code", "name", "address", "latitude", "longitude", "floor_area_m2"]
    rows = [["s1", "S1", "x", "31.19", "121.45", "100"], ["s2", "S2", "x", "31.19", "121.45", "1"]]
    response = post(planner_client, csv_upload(header, rows))
    assert report(response) == [(2, "floor_area_m2")]
    assert "300" in response.content.decode()
    rows[0][5] = "300"
    assert post(planner_client, csv_upload(header, rows)).status_code == 302
    assert Site.objects.get(code="s1").floor_area_m2 == 300


# --- One save path: areas from coordinates, hazards from findings only ---------------------

INSIDE_SQUARE = ("31.192000", "121.458000")  # inside SQUARE's triangle, near no other centre


@pytest.mark.django_db
@pytest.mark.parametrize("with_area_column", [False, True], ids=["no-column", "empty-cell"])
def test_an_imported_site_inside_an_area_boundary_gets_that_area(planner_client, with_area_column):
    centre = {"centroid_lat": Decimal("31.193000"), "centroid_lng": Decimal("121.457000")}
    inside = make_area(code="inside", boundary=json.loads(SQUARE), **centre)
    elsewhere = make_area(code="elsewhere", centroid_lat=Decimal("31.200000"))
    header = ["code", "name", "address", "latitude", "longitude"]
    rows = [["new-1", "New", "x", *INSIDE_SQUARE], ["new-2", "Given", "x", *INSIDE_SQUARE]]
    if with_area_column:
        header.append("area")
        rows[0].append("")
        rows[1].append("elsewhere")
    assert post(planner_client, csv_upload(header, rows)).status_code == 302
    assert Site.objects.get(code="new-1").area == inside
    # A code in the file wins over the coordinates.
    expected = elsewhere if with_area_column else inside
    assert Site.objects.get(code="new-2").area == expected


@pytest.mark.django_db
def test_hazard_columns_are_ignored_with_a_note(planner_client, english):
    """Hazard flags follow open inspection findings: an old file that still has the columns
    imports, its hazard cells change nothing, and the page says so."""
    make_site(code="s1", hazard_fire=True)
    header = ["code", "name", "address", "latitude", "longitude", "hazard_fire", "hazard_food"]
    rows = [
        ["s1", "S1", "x", "31.19", "121.45", "no", "yes"],
        ["s2", "S2", "x", "31.19", "121.45", "yes", "yes"],
    ]
    response = planner_client.post(IMPORT, {"file": csv_upload(header, rows)}, follow=True)
    assert response.status_code == 200
    notes = [str(m) for m in response.context["messages"]]
    assert any("hazard_fire" in note and "hazard_food" in note for note in notes), notes
    s1, s2 = Site.objects.get(code="s1"), Site.objects.get(code="s2")
    assert (s1.name, s1.hazard_fire, s1.hazard_food) == ("S1", True, False)
    assert not s2.has_hazard
    # A file with a bad row shows the note beside the report.
    rows[1][3] = "north"
    response = post(planner_client, csv_upload(header, rows))
    assert report(response) == [(3, "latitude")]
    assert "hazard_fire" in response.context["result"].notes[0]
    assert response.context["result"].notes[0] in response.content.decode()


@pytest.mark.django_db
def test_exports_have_no_hazard_columns_to_import(planner_client):
    varied_sites()
    header = read_csv(planner_client.get(reverse("sites:site_export", args=["csv"])).content)[0]
    assert not [column for column in header if column.startswith("hazard")]


@pytest.mark.django_db
def test_placing_imported_sites_in_their_areas_reads_the_areas_once(planner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sites import imports

    make_area(code="near")  # its centre is the rows' point
    header = ["code", "name", "address", "latitude", "longitude"]

    def queries(count: int, prefix: str) -> int:
        rows = [[f"{prefix}-{i}", "S", "x", "31.193", "121.455"] for i in range(count)]
        with CaptureQueriesContext(connection) as captured:
            assert imports.import_sites(csv_upload(header, rows), user=planner).ok
        return len(captured)

    assert queries(12, "many") == queries(3, "few")
    assert set(Site.objects.values_list("area__code", flat=True)) == {"near"}
