"""Benchmark: the walking network stored as JSON in the database, at city scale.

A generated street grid of about 80,000 segments (the grid of bench_walk_times.py) is imported
with ``sites.network.import_network`` (read, built, compared and stored), then a process that
has not built it yet asks for ``active_network()`` (reads the lines and rebuilds the graph), and
asks again (the graph it keeps). The reference, in the same run: reading the GeoJSON file itself
with ``siting.network.load_network``, what every process would do with a file kept per version.
On SQLite and on PostgreSQL (each in a database of its own, created and dropped here; the
PostgreSQL part is skipped when no server answers).

    .venv/bin/python bench/bench_network_store.py [--side 200]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "fenglin_bench_network_store"


def child(database_url: str, side: int) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fenglin.settings")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    import django

    django.setup()
    import numpy as np
    from bench_walk_times import grid_lines
    from django.core.management import call_command
    from django.db import connection

    from sites import network as store
    from siting.network import load_network

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "grid.geojson"
        features = [
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": line}}
            for line in grid_lines(side, np.random.default_rng(7))
        ]
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))

        start = time.perf_counter()
        reference = load_network(path)
        file_s = time.perf_counter() - start

        start = time.perf_counter()
        result = store.import_network(path=path, name="grid", illustrative=True, activate=True)
        import_s = time.perf_counter() - start

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_column_size(lines) FROM sites_walkingnetwork")
        else:
            cursor.execute("SELECT length(lines) FROM sites_walkingnetwork")
        stored_mb = cursor.fetchone()[0] / 1e6

    store._built = None  # a process that has not built this version yet
    start = time.perf_counter()
    built = store.active_network()
    first_s = time.perf_counter() - start
    start = time.perf_counter()
    again = store.active_network()
    again_s = time.perf_counter() - start
    assert again is built
    assert built.edge_count == reference.edge_count == result.stored.segment_count
    assert np.array_equal(built.edge_m, reference.edge_m)

    print(
        f"{connection.vendor:>10}: {built.edge_count:,} segments, {stored_mb:.1f} MB stored;"
        f" import {import_s:.2f} s; first active_network() {first_s:.2f} s (reference: the"
        f" GeoJSON file read and built {file_s:.2f} s); later calls {again_s * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=200, help="grid corners per side (200)")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.side)
        return
    me = [sys.executable, __file__, "--side", str(args.side), "--child"]
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([*me, f"sqlite:///{folder}/bench.sqlite3"], check=True)
    try:
        import psycopg

        admin = psycopg.connect(args.postgres.replace("postgres://", "postgresql://"))
    except Exception as exc:  # noqa: BLE001  (any failure means: no server to measure on)
        print(f"PostgreSQL skipped: {exc}".splitlines()[0])
        return
    admin.autocommit = True
    admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
    admin.execute(f"CREATE DATABASE {BENCH_DB}")
    try:
        url = args.postgres.rsplit("/", 1)[0] + f"/{BENCH_DB}"
        subprocess.run([*me, url], check=True)
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        admin.close()


if __name__ == "__main__":
    main()
