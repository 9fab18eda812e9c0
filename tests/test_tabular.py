"""The one tabular reader and writer: clean, formula-safe cells out; bounded reading in."""

import csv
import io
import zipfile
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from fenglin import tabular
from fenglin.tabular import Limits, TableError, read_table
from tests.sites.builders import crafted_xlsx, csv_upload, sheet_row, xlsx_upload


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


HOSTILE = "a\x00b\x01c\x08d\x0be\x1ff\x7fg\ud800h\udfffi\ufffej"


# --- Writing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (HOSTILE, "abcdefghij"),
        ("line\nbreak\ttab\r\nwindows", "line\nbreak\ttab\nwindows"),
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+86 21", "'+86 21"),
        ("-3 floors", "'-3 floors"),
        ("@cmd", "'@cmd"),
        ("\tindented", "'\tindented"),
        ("\r=carriage", "'=carriage"),  # CR is removed, and what it hid is escaped
        ("\x01=hidden", "'=hidden"),
        ("plain 文字", "plain 文字"),
        (None, None),
        (3, 3),
        (-3, -3),
        (2.5, 2.5),
        (Decimal("-31.5"), Decimal("-31.5")),
        (True, True),
        (float("nan"), "nan"),
    ],
)
def test_safe_cell(value, written):
    assert tabular.safe_cell(value) == written or (written is None and value is None)


def test_aware_datetimes_are_written_in_local_time_without_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    moment = datetime(2026, 1, 1, 2, 0, tzinfo=ZoneInfo("UTC"))
    assert tabular.safe_cell(moment) == datetime(2026, 1, 1, 10, 0)


def test_unescape_undoes_the_formula_escape_only():
    for text in ["=1+1", "-3 floors", "@x", "plain", "'quoted", "'"]:
        assert tabular.unescape_formula(tabular.safe_cell(text)) == text


HEADER = ["name", "=header", HOSTILE]
ROWS = [["=cmd()", Decimal("31.193800"), -4, HOSTILE], ["plain", None, 2.5, ""]]


@pytest.mark.parametrize("streaming", [False, True])
def test_csv_cells_and_header_are_clean_and_escaped(streaming):
    response = tabular.csv_response("t.csv", HEADER, ROWS, streaming=streaming)
    content = b"".join(response) if streaming else response.content
    assert response["Content-Disposition"] == 'attachment; filename="t.csv"'
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert table == [
        ["name", "'=header", "abcdefghij"],
        ["'=cmd()", "31.193800", "-4", "abcdefghij"],
        ["plain", "", "2.5", ""],
    ]


@pytest.mark.parametrize("streaming", [False, True])
def test_xlsx_cells_and_header_are_clean_and_escaped_and_numbers_stay_numbers(streaming):
    response = tabular.xlsx_response("t.xlsx", HEADER, ROWS, title="a/b:c*", streaming=streaming)
    content = b"".join(response.streaming_content) if streaming else response.content
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    assert sheet.title == "abc"
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["name", "'=header", "abcdefghij", None]
    assert rows[1] == ["'=cmd()", 31.1938, -4, "abcdefghij"]
    assert rows[2][:3] == ["plain", None, 2.5]
    assert sheet["A2"].data_type == "s"  # text, never a formula


# --- Reading -------------------------------------------------------------------------------

LIMITS = Limits(rows=10, columns=5, cell_chars=100)


def test_a_written_workbook_reads_back():
    response = tabular.xlsx_response("t.xlsx", ["Code", "Floor area"], [["a", 12], ["b", 3.5]])
    header, rows = read_table(SimpleUploadedFile("t.xlsx", response.content), limits=LIMITS)
    assert header == ["code", "floor_area"]
    assert rows == [(2, {"code": "a", "floor_area": "12"}), (3, {"code": "b", "floor_area": "3.5"})]


def test_a_claimed_dimension_is_not_padded_out():
    # openpyxl pads a read-only sheet to the size it claims: 20 million empty rows here.
    rows = sheet_row(1, ["code"]) + sheet_row(2, ["a"])
    upload = crafted_xlsx(rows, dimension="A1:E20000000", name="t.xlsx")
    assert read_table(upload, limits=LIMITS).rows == [(2, {"code": "a"})]


def test_many_empty_rows_are_refused_early(monkeypatch):
    """The sheet is refused at the first row past the limit, after reading a small part of it."""
    read = []
    original = tabular._GuardedPart.read

    def counting(self, size=-1):
        data = original(self, size)
        read.append(len(data))
        return data

    monkeypatch.setattr(tabular._GuardedPart, "read", counting)
    empty = "".join(f'<row r="{i}"/>' for i in range(2, 300_000))
    upload = crafted_xlsx(sheet_row(1, ["code"]) + empty, name="t.xlsx")
    with pytest.raises(TableError, match=r"reaches row 22, beyond the limit of 21 rows"):
        read_table(upload, limits=LIMITS)
    assert sum(read) < len(empty) / 20


@pytest.mark.parametrize(
    ("rows_xml", "message"),
    [
        (sheet_row(2, ["x" * 101]), "A cell in row 2 holds more than 100 characters"),
        (sheet_row(3, ["", "", "", "", "", "far"]), "Row 3 has a value in column 6"),
        ('<row r="2">' + "<c/>" * 16_385 + "</row>", "Row 2 has more than 16384 cells"),
        (
            '<row r="2"><c r="A2" t="inlineStr"><is>' + "<r><t/></r>" * 1_001 + "</is></c></row>",
            "more than 1000 formats, ranges or text runs",
        ),
    ],
    ids=["long-cell", "column", "cells-in-row", "text-runs"],
)
def test_xlsx_limits_name_the_limit_and_row(rows_xml, message):
    upload = crafted_xlsx(sheet_row(1, ["code"]) + rows_xml, name="t.xlsx")
    with pytest.raises(TableError, match=message):
        read_table(upload, limits=LIMITS)


def test_empty_formatted_cells_beyond_the_columns_are_fine():
    row = '<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c><c r="Z2" s="1"/></row>'
    upload = crafted_xlsx(sheet_row(1, ["code"]) + row, name="t.xlsx")
    assert read_table(upload, limits=LIMITS).rows == [(2, {"code": "a"})]


def test_a_huge_shared_string_is_refused():
    huge = "x" * 101
    upload = crafted_xlsx(
        sheet_row(1, ["code"]) + sheet_row(2, [huge], shared=[huge]),
        shared_strings=[huge],
        name="t.xlsx",
    )
    with pytest.raises(TableError, match="A text in the workbook holds more than 100 characters"):
        read_table(upload, limits=LIMITS)


def test_too_many_elements_outside_the_cells_are_refused(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_PART_ELEMENTS", 50)
    merges = "<mergeCells>" + '<mergeCell ref="A1:B1"/>' * 60 + "</mergeCells>"
    upload = crafted_xlsx(sheet_row(1, ["code"]) + "</sheetData>" + merges + "<sheetData>")
    with pytest.raises(TableError, match="more than 50 formats"):
        read_table(upload, limits=LIMITS)


def test_a_workbook_unpacking_beyond_the_limit_is_refused_before_reading():
    upload = xlsx_upload(["code"], [["a"]], "t.xlsx")
    limits = Limits(rows=10, unpacked_bytes=1024 * 1024)
    assert read_table(upload, limits=limits).rows == [(2, {"code": "a"})]
    with pytest.raises(TableError, match="unpacks to more than 0 MB"):
        read_table(upload, limits=Limits(rows=10, unpacked_bytes=1000))


def test_a_dtd_is_refused():
    bomb = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    upload = crafted_xlsx(sheet_row(1, ["code"]), name="t.xlsx")
    content = upload.read()
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"?><worksheet", b"?>" + bomb.encode() + b"<worksheet")
            copy.writestr(item.filename, data)
    with pytest.raises(TableError, match="cannot be read as an Excel"):
        read_table(SimpleUploadedFile("t.xlsx", target.getvalue()), limits=LIMITS)


def test_csv_limits_name_the_limit_and_row():
    with pytest.raises(TableError, match="A cell in row 3 holds more than 100 characters"):
        read_table(csv_upload(["code"], [["a"], ["x" * 101]]), limits=LIMITS)
    with pytest.raises(TableError, match="Row 2 has a value in column 6"):
        read_table(csv_upload(["code"], [["a", "", "", "", "", "b"]]), limits=LIMITS)
    with pytest.raises(TableError, match="reaches row 22, beyond the limit of 21 rows"):
        read_table(SimpleUploadedFile("t.csv", b"code\n" + b"\n" * 100 + b"a\n"), limits=LIMITS)
    with pytest.raises(TableError, match="more than 10 rows"):
        read_table(csv_upload(["code"], [[str(i)] for i in range(11)]), limits=LIMITS)
    # Beyond the csv module's own field limit (131,072 characters) too.
    big = b'code\n"' + b"x" * 200_000 + b'"\n'
    with pytest.raises(TableError, match="A cell in row 2 holds more than 32767 characters"):
        read_table(SimpleUploadedFile("t.csv", big), limits=Limits(rows=10))
