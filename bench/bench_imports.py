"""Benchmark: the site import at its documented limit, and hostile XLSX files.

1. Importing 5,000 sites with 10 services each (the MAX_IMPORT_ROWS limit) from CSV and from
   XLSX, then importing the same file again (5,000 updates): seconds and queries. In the same
   run, two references on the same rows: a plain bulk insert (no validation, no history, no
   status records: the floor) and per-row saves as the import did them before (site, status
   record and each service saved one by one, with history), on 500 rows and scaled to 5,000.
   On SQLite and on PostgreSQL (each in a database of its own, created and dropped here; the
   PostgreSQL part is skipped when no server answers).
2. Reading hostile XLSX files, time and peak Python memory (tracemalloc): small files whose
   sheet holds 20 million and 1.5 million empty rows, and one holding a 40 MB inline string;
   against the unguarded openpyxl read-only reading the import used before (on 1 million empty
   rows: the 20 million would take many minutes).

Runs with DEBUG off, as in production (DEBUG's query log would add its own cost). The first line
is a calibration: the same pure-Python loop, to compare the figures of different machines.

    .venv/bin/python bench/bench_imports.py [--rows 5000] [--services 10]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PER_ROW_SAMPLE = 500


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fenglin.settings")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    import django

    django.setup()


# --- 1. The import at its limit (runs in a child process per database) ---------------------


def import_figures(rows: int, services: int) -> None:
    from django.db import connection

    connection.creation.create_test_db(verbosity=0)
    try:
        _import_figures(rows, services, connection)
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


def _import_figures(rows, services, connection) -> None:
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from fenglin import tabular
    from sites import imports
    from sites.models import Area, ServiceType, Site, SiteService, SiteStatusChange

    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    Area.objects.create(
        code="lingling", name="零陵", centroid_lat=Decimal("31.19"), centroid_lng=Decimal("121.45")
    )
    codes = list(ServiceType.objects.order_by("order", "code").values_list("code", flat=True))
    codes = codes[:services]
    header = ["code", "name", "address", "latitude", "longitude", "area", "status", "services",
              "notes"]  # fmt: skip

    def table(prefix: str, count: int, status: str = "operating") -> list[list]:
        return [
            [f"{prefix}-{i}", f"站点 {i}", f"零陵路 {i} 号", f"31.{190000 + i % 9000:06d}",
             f"121.{450000 + i % 9000:06d}", "lingling", status, ";".join(codes), "=note"]
            for i in range(count)
        ]  # fmt: skip

    def upload(kind: str, data: list[list]) -> SimpleUploadedFile:
        if kind == "csv":
            content = "".join(tabular.csv_lines(header, data)).encode()
        else:
            buffer = io.BytesIO()
            tabular.write_xlsx(buffer, header, data)
            content = buffer.getvalue()
        return SimpleUploadedFile(f"sites.{kind}", content)

    def clear() -> None:
        SiteService.history.all().delete()
        SiteService.objects.all().delete()
        SiteStatusChange.objects.all().delete()
        Site.history.all().delete()
        Site.objects.all().delete()

    def timed(action) -> tuple[float, int, object]:
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            start = time.perf_counter()
            result = action()
            seconds = time.perf_counter() - start
        return seconds, len(queries), result

    vendor = connection.vendor
    for kind in ("csv", "xlsx"):
        clear()
        file = upload(kind, table("s", rows))
        seconds, queries, result = timed(lambda f=file: imports.import_sites(f, user=user))
        assert result.ok and result.created == rows, result.errors[:3]
        print(
            f"{vendor:10} {kind:4} import {rows} new sites × {len(codes)} services: "
            f"{seconds:6.2f} s, {queries} queries"
        )
        again = upload(kind, [[*r[:1], f"{r[1]}（新）", *r[2:]] for r in table("s", rows)])
        seconds, queries, result = timed(lambda f=again: imports.import_sites(f, user=user))
        assert result.ok and result.updated == rows, result.errors[:3]
        print(
            f"{vendor:10} {kind:4} import again ({rows} updates):      "
            f"{seconds:6.2f} s, {queries} queries"
        )

    # Reference: a plain bulk insert of the same sites and services.
    clear()
    service_types = list(ServiceType.objects.filter(code__in=codes))
    area = Area.objects.get()

    def new_site(r: list) -> Site:
        return Site(
            code=r[0],
            name=r[1],
            address=r[2],
            latitude=Decimal(r[3]),
            longitude=Decimal(r[4]),
            area=area,
            status="operating",
            notes=r[8],
        )

    def bulk_insert() -> None:
        with transaction.atomic():
            sites = Site.objects.bulk_create(new_site(r) for r in table("s", rows))
            SiteService.objects.bulk_create(
                SiteService(site=s, service_type=t) for s in sites for t in service_types
            )

    seconds, queries, _ = timed(bulk_insert)
    print(
        f"{vendor:10} reference: plain bulk insert, no checks:     "
        f"{seconds:6.2f} s, {queries} queries"
    )

    # Reference: per-row saves, as the import saved before (validation not included).
    clear()
    sample = table("p", min(rows, PER_ROW_SAMPLE))

    def per_row() -> None:
        with transaction.atomic():
            for r in sample:
                site = new_site(r)
                site.save()
                SiteStatusChange.objects.create(site=site, to_status="operating", changed_by=user)
                present = set(site.services.values_list("service_type_id", flat=True))
                for t in service_types:
                    if t.pk not in present:
                        SiteService.objects.create(site=site, service_type=t)

    seconds, queries, _ = timed(per_row)
    scale = rows / len(sample)
    print(
        f"{vendor:10} reference: per-row saves (before), {len(sample)} rows: "
        f"{seconds:6.2f} s, {queries} queries; scaled to {rows}: "
        f"{seconds * scale:6.1f} s, {round(queries * scale)} queries"
    )


# --- 2. Hostile XLSX files (no database) ------------------------------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def hostile_xlsx(path: Path, write_sheet_data) -> None:
    """A workbook made by openpyxl whose first sheet's data is streamed in by write_sheet_data."""
    from openpyxl import Workbook

    source = io.BytesIO()
    Workbook().save(source)
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in original.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                out.writestr(item.filename, original.read(item))
                continue
            with out.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                sheet.write(f'<worksheet xmlns="{MAIN_NS}"><sheetData>'.encode())
                sheet.write(
                    b'<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c>'
                    b'<c r="B1" t="inlineStr"><is><t>name</t></is></c></row>'
                )
                write_sheet_data(sheet)
                sheet.write(b"</sheetData></worksheet>")


def empty_rows(count: int):
    def write(sheet) -> None:
        block = 100_000
        for start in range(2, count + 2, block):
            # Without numbers, as a hostile file has them: they compress about 1,000 to 1.
            sheet.write(b"<row/>" * (min(start + block, count + 2) - start))

    return write


def huge_string(megabytes: int):
    def write(sheet) -> None:
        sheet.write(b'<row r="2"><c r="A2" t="inlineStr"><is><t>')
        chunk = b"A" * (1024 * 1024)
        for _ in range(megabytes):
            sheet.write(chunk)
        sheet.write(b"</t></is></c></row>")

    return write


def measure(action) -> tuple[float, float, str]:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        outcome = action()
    except Exception as exc:  # the guarded reading refuses: that is the outcome
        outcome = f"refused: {str(exc)[:90]}"
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    return seconds, peak, outcome


def read_guarded(path: Path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fenglin.tabular import read_table

    header, rows = read_table(SimpleUploadedFile("h.xlsx", path.read_bytes()))
    return f"read {len(rows)} rows"


def read_unguarded(path: Path):
    """The reading the import used before: openpyxl read-only, rows bounded only by content."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    rows = 0
    for values in workbook.worksheets[0].iter_rows(values_only=True, max_col=60):
        if any(v not in (None, "") for v in values):
            rows += 1
    workbook.close()
    return f"read {rows} non-empty rows"


def hostile_figures() -> None:
    with tempfile.TemporaryDirectory() as folder:
        cases = [
            ("20,000,000 empty rows", empty_rows(20_000_000), None, None),
            ("1,500,000 empty rows", empty_rows(1_500_000), "1,000,000 empty rows",
             empty_rows(1_000_000)),
            ("a 40 MB inline string", huge_string(40), "the same file", None),
        ]  # fmt: skip
        for name, writer, reference_name, reference_writer in cases:
            path = Path(folder) / "hostile.xlsx"
            hostile_xlsx(path, writer)
            size = path.stat().st_size / 1024
            seconds, peak, outcome = measure(lambda p=path: read_guarded(p))
            print(
                f"xlsx with {name} ({size:,.0f} KB): guarded reading {seconds:6.2f} s, "
                f"peak {peak:7.1f} MB, {outcome}"
            )
            if reference_name is None:
                continue
            if reference_writer is not None:
                hostile_xlsx(path, reference_writer)
                size = path.stat().st_size / 1024
            seconds, peak, outcome = measure(lambda p=path: read_unguarded(p))
            print(
                f"  reference, unguarded openpyxl read-only on {reference_name} "
                f"({size:,.0f} KB): {seconds:6.2f} s, peak {peak:7.1f} MB, {outcome}"
            )


# --- Driver -------------------------------------------------------------------------------


def postgres_answers(admin_url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(admin_url, connect_timeout=3).close()
        return True
    except psycopg.Error:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--services", type=int, default=10)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        setup_django(args.child)
        import_figures(args.rows, args.services)
        return 0

    start = time.perf_counter()
    sum(range(10_000_000))
    print(f"calibration: sum(range(10_000_000)) in {time.perf_counter() - start:.2f} s")
    with tempfile.TemporaryDirectory() as folder:
        databases = [f"sqlite:///{folder}/bench.sqlite3"]
        if postgres_answers(args.postgres):
            databases.append(args.postgres.rsplit("/", 1)[0] + "/fenglin_bench_imports")
        else:
            print("PostgreSQL does not answer: its figures are skipped.")
        for url in databases:
            command = [sys.executable, __file__, "--child", url, "--rows", str(args.rows),
                       "--services", str(args.services)]  # fmt: skip
            subprocess.run(command, check=True, timeout=3600)
    setup_django(os.environ.get("DATABASE_URL", "sqlite:///:memory:"))
    hostile_figures()
    return 0


if __name__ == "__main__":
    sys.exit(main())
