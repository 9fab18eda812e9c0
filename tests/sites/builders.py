"""Files for import tests: CSV and XLSX uploads built from rows."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

SITE_HEADER = ["code", "name", "address", "latitude", "longitude", "area", "status", "services"]


def csv_upload(header: list[str], rows: list[list], name: str = "sites.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_upload(header: list[str], rows: list[list], name: str = "sites.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        # A worksheet cannot hold control characters: leave them out as Excel would.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def read_xlsx(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def upload_from_response(response, name: str):
    return SimpleUploadedFile(name, response.content)


# --- Hand-made workbooks: what a hostile or damaged file holds -----------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sheet_row(number: int, values: list, *, shared: list[str] = ()) -> str:
    """One <row> of sheet XML: strings found in `shared` point into the shared strings, the
    rest are inline."""
    from xml.sax.saxutils import escape

    from openpyxl.utils import get_column_letter

    cells = []
    for column, value in enumerate(values, start=1):
        ref = f"{get_column_letter(column)}{number}"
        if value in shared:
            cells.append(f'<c r="{ref}" t="s"><v>{list(shared).index(value)}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def crafted_xlsx(
    rows_xml: str, *, dimension: str = "", shared_strings: list[str] = (), name="sites.xlsx"
):
    """A workbook made by openpyxl whose first sheet (and shared strings) are replaced by the
    given XML, as a hostile or broken program could write them."""
    import zipfile
    from xml.sax.saxutils import escape

    workbook = Workbook()
    source = io.BytesIO()
    workbook.save(source)
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + f"<sheetData>{rows_xml}</sheetData></worksheet>"
    )
    strings = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared_strings)
    strings = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}" '
        f'count="{len(shared_strings)}" uniqueCount="{len(shared_strings)}">{strings}</sst>'
    )
    target = io.BytesIO()
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        # Readers find the shared strings through the package's list of content types.
        types = (
            original.read("[Content_Types].xml")
            .decode()
            .replace(
                "</Types>",
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        )
        replaced = {"xl/worksheets/sheet1.xml": sheet, "[Content_Types].xml": types}
        for item in original.infolist():
            copy.writestr(item.filename, replaced.get(item.filename) or original.read(item))
        copy.writestr("xl/sharedStrings.xml", strings)
    return SimpleUploadedFile(name, target.getvalue())
