"""The one reader and the one writer of the tables people upload and download: CSV and XLSX.

Every import and export of the project goes through this module, so every file gets the same
guards:

- Reading: an upload is read within limits on rows, columns, characters in a cell and (XLSX)
  unpacked size, checked while the bytes are parsed, so a small file that unpacks to millions
  of rows or to one enormous string is refused, with a message naming the limit and the row,
  before it takes memory or time.
- Writing: characters a worksheet cannot hold (control characters, DEL, lone surrogates) are
  removed from every cell, and text a spreadsheet program would run as a formula gets an
  apostrophe in front, headers included. Numbers and dates stay what they are.
"""

import contextlib
import csv
import io
import math
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any, NamedTuple
from xml.parsers import expat

from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# What no cell may hold: C0 controls but tab and newline, DEL, lone surrogates (they cannot be
# encoded, so a CSV stream would break off) and U+FFFE/U+FFFF, which XML forbids.
_UNWRITABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

MAX_COLUMNS = 60
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_ROW_CELLS = 16_384  # Excel's last column, XFD
# Within one XLSX part, outside the cells: styles, merged ranges, formats. Every one becomes an
# object in openpyxl, so their number is bounded too.
MAX_PART_ELEMENTS = 250_000
MAX_CELL_ELEMENTS = 1_000  # rich-text runs of one cell or shared string
MAX_TEXT_CHARS = 1_000_000  # any other text in the package (names, properties)


class TableError(Exception):
    """The file as a whole cannot be read: wrong format, a limit passed, missing columns."""


@dataclass(frozen=True)
class Limits:
    """How much of an uploaded table is read."""

    rows: int  # data rows below the header
    columns: int = MAX_COLUMNS
    cell_chars: int = MAX_CELL_CHARS
    unpacked_bytes: int = 50 * 1024 * 1024  # an XLSX package's parts together, unpacked

    @property
    def sheet_rows(self) -> int:
        """How far down the table may reach, blank rows included: the header, the data rows
        and as many blank rows again."""
        return 2 * self.rows + 1

    @property
    def shared_strings(self) -> int:
        return self.sheet_rows * self.columns

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(rows=settings.MAX_IMPORT_ROWS, unpacked_bytes=10 * settings.MAX_UPLOAD_BYTES)


class Table(NamedTuple):
    header: list[str]  # the named columns, normalised: "Floor area" -> "floor_area"
    rows: list[tuple[int, dict[str, str]]]  # (spreadsheet row number, text by column)


# --- Writing -------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """The text without the characters no cell (and no UTF-8 stream) can hold."""
    return _UNWRITABLE.sub("", text)


def safe_cell(value: Any) -> Any:
    """A value ready for any cell: numbers, dates and booleans as they are (so a spreadsheet
    can sum them); anything else as clean text that no spreadsheet runs as a formula."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else str(value)
    if isinstance(value, datetime):
        # A worksheet has no time zones: the local time, as people read it on the page.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (date, time)):
        return value
    text = clean_text(str(value))
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def unescape_formula(text: str) -> str:
    """The text as it was before safe_cell() protected it: what an import of an export reads."""
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_PREFIXES:
        return text[1:]
    return text


def _safe_row(values: Iterable) -> list:
    return [safe_cell(value) for value in values]


class _Echo:
    """A file that hands back what is written: the csv module then yields lines."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    """CSV text line by line, starting with a byte-order mark, so that spreadsheet programs
    read the Chinese as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(_safe_row(header))
    for row in rows:
        yield writer.writerow(_safe_row(row))


def csv_response(
    filename: str, header: Iterable, rows: Iterable[Iterable], *, streaming: bool = False
) -> HttpResponse | StreamingHttpResponse:
    """A CSV download; `streaming` writes the rows as they come (for exports of any size)."""
    lines = csv_lines(header, rows)
    if streaming:
        response = StreamingHttpResponse(lines, content_type=CSV_CONTENT_TYPE)
    else:
        response = HttpResponse("".join(lines), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return _SHEET_TITLE_FORBIDDEN.sub("", clean_text(str(title))).strip("'")[:31] or "Sheet"


def write_xlsx(target: IO[bytes], header: Iterable, rows: Iterable[Iterable], *, title="") -> None:
    """An XLSX workbook of one sheet, written row by row (openpyxl's write-only mode)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title or "Sheet"))
    sheet.append(_safe_row(header))
    for row in rows:
        sheet.append(_safe_row(row))
    workbook.save(target)


def xlsx_file(header: Iterable, rows: Iterable[Iterable], *, title: str = "") -> IO[bytes]:
    """The workbook in a temporary file, ready to be read: memory stays flat at any size."""
    # Handed to FileResponse, which closes it when the download ends.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    write_xlsx(handle, header, rows, title=title)
    handle.seek(0)
    return handle


def xlsx_response(
    filename: str,
    header: Iterable,
    rows: Iterable[Iterable],
    *,
    title: str = "",
    streaming: bool = False,
) -> HttpResponse | FileResponse:
    """An XLSX download; `streaming` writes it to a temporary file and sends it from there."""
    if streaming:
        return FileResponse(
            xlsx_file(header, rows, title=title),
            as_attachment=True,
            filename=filename,
            content_type=XLSX_CONTENT_TYPE,
        )
    buffer = io.BytesIO()
    write_xlsx(buffer, header, rows, title=title)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- Reading -------------------------------------------------------------------------------


def read_table(upload, *, limits: Limits | None = None, max_bytes: int | None = None) -> Table:
    """The header and the non-empty rows of an uploaded CSV or XLSX file (by its name).

    Rows come with their spreadsheet row number and their cells as stripped text. Raises
    TableError for a file that cannot be read or passes one of the limits. ``max_bytes`` is the
    largest file read (default: the upload limit); a command reading local files may allow more.
    """
    limits = limits or Limits.from_settings()
    max_bytes = settings.MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    name = (getattr(upload, "name", "") or "").lower()
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TableError(_("The file is larger than the upload limit."))
    raw_rows = _xlsx_rows(data, limits) if name.endswith(".xlsx") else _csv_rows(data, limits)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    with contextlib.closing(raw_rows):
        for number, values in raw_rows:
            if number > limits.sheet_rows:
                raise _reach_error(number, limits)
            cells = [_cell_text(value) for value in values]
            _check_cells(number, cells, limits)
            cells = cells[: limits.columns]
            if not any(cells):
                continue
            if header is None:
                header = [_normalise_header(cell) for cell in cells]
                named = [h for h in header if h]
                if len(named) != len(set(named)):
                    raise TableError(_("The first row names a column twice."))
                continue
            if len(rows) >= limits.rows:
                raise TableError(
                    _("The file has more than %(limit)s rows. Split it into smaller files.")
                    % {"limit": limits.rows}
                )
            row = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}
            rows.append((number, row))
    if header is None:
        raise TableError(_("The file is empty."))
    return Table([h for h in header if h], rows)


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


def _check_cells(number: int, cells: list[str], limits: Limits) -> None:
    for column, cell in enumerate(cells, start=1):
        if len(cell) > limits.cell_chars:
            raise _cell_error(number, limits)
        if column > limits.columns and cell:
            raise _columns_error(number, column, limits)


def _reach_error(row: int, limits: Limits) -> TableError:
    return TableError(
        _(
            "The sheet reaches row %(row)s, beyond the limit of %(limit)s rows (blank rows "
            "count too). Delete the rows below the data, or split the file."
        )
        % {"row": row, "limit": limits.sheet_rows}
    )


def _cell_error(row: int | None, limits: Limits) -> TableError:
    if row is None:  # a workbook's shared strings are read before its rows
        message = _("A text in the workbook holds more than %(limit)s characters.")
    else:
        message = _("A cell in row %(row)s holds more than %(limit)s characters.")
    return TableError(message % {"row": row, "limit": limits.cell_chars})


def _columns_error(row: int, column: int, limits: Limits) -> TableError:
    return TableError(
        _("Row %(row)s has a value in column %(column)s: a file may have %(limit)s columns.")
        % {"row": row, "column": column, "limit": limits.columns}
    )


def _structure_error(limit: int) -> TableError:
    return TableError(
        _(
            "The workbook holds more than %(limit)s formats, ranges or text runs in one place: "
            "more than a table needs. Copy the table into a new workbook and import that."
        )
        % {"limit": limit}
    )


def _unreadable_xlsx() -> TableError:
    return TableError(_("The file cannot be read as an Excel .xlsx workbook."))


# CSV


def _csv_rows(data: bytes, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError(_("The CSV file is neither UTF-8 nor GB18030 text."))
    if "\x00" in text:
        raise TableError(_("This does not look like a CSV text file."))
    number = 0
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            yield number, values
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # the csv module's own, larger limit
            raise _cell_error(number + 1, limits) from exc
        raise TableError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


# XLSX


def _xlsx_rows(data: bytes, limits: Limits) -> Iterator[tuple[int, tuple]]:
    """The first worksheet's rows, read by openpyxl in read-only mode from an archive whose
    parts are checked against the limits as openpyxl reads them."""
    from openpyxl.reader.excel import ExcelReader

    try:
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.archive.close()
        reader.archive = _GuardedArchive(io.BytesIO(data), limits)
        reader.read()
        workbook = reader.wb
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        _reraise_limit(exc)
        raise _unreadable_xlsx() from exc
    try:
        sheet = workbook.worksheets[0]
        # Explicit bounds: openpyxl would otherwise pad up to the size the sheet claims.
        yield from enumerate(
            sheet.iter_rows(
                max_row=limits.sheet_rows + 1, max_col=limits.columns + 1, values_only=True
            ),
            start=1,
        )
    except Exception as exc:
        _reraise_limit(exc)
        raise _unreadable_xlsx() from exc
    finally:
        workbook.close()


def _reraise_limit(exc: BaseException | None) -> None:
    """Raise the guard's own error, also where openpyxl wrapped it in one of its own."""
    while exc is not None:
        if isinstance(exc, TableError):
            raise exc
        exc = exc.__cause__ or exc.__context__


class _GuardedArchive(zipfile.ZipFile):
    """An XLSX package whose parts pass through a _PartGuard as they are read."""

    def __init__(self, file: IO[bytes], limits: Limits):
        super().__init__(file)
        self.limits = limits
        # zipfile never unpacks a part beyond the size the directory gives it.
        if sum(info.file_size for info in self.infolist()) > limits.unpacked_bytes:
            raise TableError(
                _("The workbook unpacks to more than %(limit)s MB. Split it into smaller files.")
                % {"limit": limits.unpacked_bytes // (1024 * 1024)}
            )

    def open(self, name, mode="r", pwd=None, **kwargs):
        part = super().open(name, mode, pwd, **kwargs)
        return _GuardedPart(part, _PartGuard(self.limits)) if mode == "r" else part


class _GuardedPart:
    """A part's byte stream; each block goes through the guard before openpyxl parses it."""

    def __init__(self, raw: IO[bytes], guard: "_PartGuard"):
        self.raw = raw
        self.guard = guard

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.guard.feed(data, final=not data or size is None or size < 0)
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class _PartGuard:
    """Follows an XLSX part's XML with expat, as it streams, and refuses it at the first row,
    cell or text beyond the limits: before openpyxl has built anything from it."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.buffer_text = True  # fewer calls; still in blocks of buffer_size
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        # No DTD: an XLSX part never has one, and entities could expand without bound.
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.depth = 0  # of the open elements
        self.current = ""  # the innermost open element's local name, "" after it closed
        self.root = ""
        self.in_data = False  # within a worksheet's <sheetData>
        self.elements = 0
        self.text_chars = 0
        self.row = 0
        self.column = 0
        self.row_cells = 0
        self.cell_depth = 0  # depth of the open <c> or <si>; 0 outside
        self.cell_chars = 0
        self.cell_elements = 0
        self.strings = 0
        self.finished = False

    def feed(self, data: bytes, *, final: bool) -> None:
        if self.finished:  # read again after the end: nothing new
            return
        self.finished = final
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as exc:
            raise _unreadable_xlsx() from exc

    def _doctype(self, *args) -> None:
        raise _unreadable_xlsx()

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        self.depth += 1
        self.current = local
        self.text_chars = 0
        if self.depth == 1:
            self.root = local
        if self.cell_depth:
            self.cell_elements += 1
            if self.cell_elements > MAX_CELL_ELEMENTS:
                raise _structure_error(MAX_CELL_ELEMENTS)
        elif self.in_data and local == "row":
            self._start_row(attrs.get("r", ""))
        elif self.in_data and local == "c":
            self._start_cell(attrs.get("r", ""))
        elif self.root == "sst" and local == "si":
            self.strings += 1
            if self.strings > self.limits.shared_strings:
                raise TableError(
                    _("The workbook holds more than %(limit)s texts. Split it into smaller files.")
                    % {"limit": self.limits.shared_strings}
                )
            self._open_cell()
        else:
            self.elements += 1
            if self.elements > MAX_PART_ELEMENTS:
                raise _structure_error(MAX_PART_ELEMENTS)
            if self.root == "worksheet" and local == "sheetData":
                self.in_data = True

    def _start_row(self, reference: str) -> None:
        number = int(reference) if reference.isascii() and reference.isdigit() else self.row + 1
        if number > self.limits.sheet_rows:
            raise _reach_error(number, self.limits)
        self.row, self.column, self.row_cells = number, 0, 0

    def _start_cell(self, reference: str) -> None:
        letters = reference.rstrip("0123456789").upper()
        if letters and letters.isascii() and letters.isalpha() and len(letters) <= 3:
            self.column = 0
            for letter in letters:
                self.column = self.column * 26 + ord(letter) - ord("A") + 1
        else:
            self.column += 1
        self.row_cells += 1
        if self.row_cells > MAX_ROW_CELLS:
            raise TableError(
                _("Row %(row)s has more than %(limit)s cells.")
                % {"row": self.row, "limit": MAX_ROW_CELLS}
            )
        self._open_cell()

    def _open_cell(self) -> None:
        self.cell_depth = self.depth
        self.cell_chars = self.cell_elements = 0

    def _end(self, name: str) -> None:
        self.depth -= 1
        self.current = ""
        self.text_chars = 0
        if self.depth < self.cell_depth:
            self.cell_depth = 0
        elif self.in_data and name.endswith("sheetData"):
            self.in_data = False

    def _text(self, data: str) -> None:
        if self.cell_depth:
            self.cell_chars += len(data)
            if self.cell_chars > self.limits.cell_chars:
                raise _cell_error(self.row if self.root == "worksheet" else None, self.limits)
            if (
                self.root == "worksheet"
                and self.column > self.limits.columns
                and self.current in ("v", "t")
                and data.strip()
            ):
                raise _columns_error(self.row, self.column, self.limits)
            return
        self.text_chars += len(data)
        if self.text_chars > MAX_TEXT_CHARS:
            raise _unreadable_xlsx()
