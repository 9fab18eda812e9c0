"""Benchmark: the maps' own base layer (/map/base.json) and the residents' reach areas.

For the demo network (sites/demo_data/fenglin_network.geojson) and for a generated grid of about
80,000 segments (the grid of bench_walk_times.py), stored and activated as `import_network`
does in a scratch SQLite database: the size of the base layer's JSON and the time to build it
with an empty cache, then with the cache warm. The reference, in the same run: the stored
segments written out as they are (one two-vertex line each), which merging into chains saves
on. Then the network service areas for 5, 10 and 15 minutes at 70 m/min, per origin, against
the straight-line circles drawn where no network is loaded.

    .venv/bin/python bench/bench_base_layer.py [--side 200] [--origins 20]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "sites" / "demo_data" / "fenglin_network.geojson"
MINUTES = (5, 10, 15)


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def child(database_url: str, side: int, origins: int) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fenglin.settings")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    import django

    django.setup()
    import numpy as np
    import shapely
    from bench_walk_times import grid_lines
    from django.core.cache import cache
    from django.core.management import call_command

    from sites import network as store
    from sites.basemap import base_layer
    from siting.constants import DETOUR_FACTOR, WALKING_SPEED_M_PER_MIN
    from siting.service_areas import service_areas, straight_line_areas

    call_command("migrate", verbosity=0)
    metres = [m * WALKING_SPEED_M_PER_MIN for m in MINUTES]
    with tempfile.TemporaryDirectory() as folder:
        grid = Path(folder) / "grid.geojson"
        features = [
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": line}}
            for line in grid_lines(side, np.random.default_rng(7))
        ]
        grid.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        cases = [("demo network", DEMO), (f"{side} × {side} grid", grid)]
        for label, path in cases:
            if not path.exists():
                print(f"{label}: {path.name} not found, skipped")
                continue
            stored = store.import_network(
                path=path, name=label, illustrative=True, activate=True
            ).stored
            cache.clear()
            document, cold_s = _timed(lambda: base_layer().json())
            _, warm_s = _timed(lambda: base_layer().json())
            unmerged = len(json.dumps(stored.lines, separators=(",", ":")))
            zipped = len(gzip.compress(document.encode()))
            print(
                f"{label}: {stored.segment_count:,} segments; base.json {len(document) / 1e3:,.0f}"
                f" kB, {zipped / 1e3:,.0f} kB gzipped (reference: the segments unmerged"
                f" {unmerged / 1e3:,.0f} kB); built in {cold_s:.2f} s with an empty cache,"
                f" {warm_s * 1000:.1f} ms from the cache"
            )

            network = store.active_network()
            rng = np.random.default_rng(3)
            pick = rng.integers(0, network.node_count, origins)
            lat = network.lat[pick] + rng.uniform(-2e-4, 2e-4, origins)
            lng = network.lng[pick] + rng.uniform(-2e-4, 2e-4, origins)
            start = time.perf_counter()
            areas = [service_areas(network, a, b, metres) for a, b in zip(lat, lng, strict=True)]
            network_s = (time.perf_counter() - start) / origins
            start = time.perf_counter()
            for a, b in zip(lat, lng, strict=True):
                straight_line_areas(a, b, metres, detour=DETOUR_FACTOR)
            circle_s = (time.perf_counter() - start) / origins
            vertices = np.mean([shapely.get_num_coordinates(group).sum() for group in areas])
            print(
                f"{label}: reach areas for {', '.join(map(str, MINUTES))} minutes"
                f" {network_s * 1000:.0f} ms per origin over {origins} origins"
                f" ({vertices:.0f} outline vertices); reference: the straight-line circles"
                f" {circle_s * 1000:.1f} ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=200, help="grid corners per side (200)")
    parser.add_argument("--origins", type=int, default=20, help="reach origins (20)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.side, args.origins)
        return
    me = [sys.executable, __file__, "--side", str(args.side), "--origins", str(args.origins)]
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([*me, "--child", f"sqlite:///{folder}/bench.sqlite3"], check=True)


if __name__ == "__main__":
    main()
