"""Benchmark: walking distances of every point-site pair within 15 minutes (70 m/min, 1,050 m).

A generated street grid of about 80,000 segments (200 × 200 corners, 50 m blocks, corners
jittered), 20,000 points and 1,000 sites spread over it. In the same run:

1. ``siting.network.pairs_within``: batches of sites, one Dijkstra search each from a virtual
   node at the site's joining place, cut off at the reach (scipy.sparse.csgraph);
2. the same with one site per batch (what the batching adds);
3. the reference: one full scipy Dijkstra per site, from both ends of its segment, then every
   point (straightforward: no cut-off, no batching);
4. the shortest-path engine: scipy's Dijkstra against igraph's in its place, on the first 100
   sites (igraph's Python API has no cut-off, so each search covers the whole network);
5. the ``walk_times`` command end to end, in a process of its own;
6. the pairs and peak memory at 5, 10 and 15 minutes: memory follows the pairs in reach, not
   points × sites.

Each run prints seconds and peak memory (tracemalloc: numpy's buffers and Python objects;
scipy's and igraph's own C buffers are not traced), and checks that every method finds the same
pairs with the same metres. No assertions on time: the figures are for reading.

    .venv/bin/python bench/bench_walk_times.py [--quick] [--skip-reference]
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from scipy.sparse.csgraph import dijkstra

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import siting.network as network_module  # noqa: E402
from siting.constants import WALKING_SPEED_M_PER_MIN  # noqa: E402
from siting.network import WalkingNetwork, pairs_within  # noqa: E402

LAT0, LNG0 = 31.10, 121.40
BLOCK_LAT, BLOCK_LNG = 0.00045, 0.000526  # about 50 m each way at this latitude


def measure(fn, *args, **kwargs):
    """(result, seconds, peak MiB) of one call."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        result = fn(*args, **kwargs)
    finally:
        seconds = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result, seconds, peak


def grid_lines(side: int, rng: np.random.Generator) -> list[list[tuple[float, float]]]:
    """Two-vertex lines between neighbouring corners of a side × side grid."""
    lat = LAT0 + BLOCK_LAT * np.arange(side)[:, None] + rng.uniform(-4e-5, 4e-5, (side, side))
    lng = LNG0 + BLOCK_LNG * np.arange(side)[None, :] + rng.uniform(-4e-5, 4e-5, (side, side))
    lat, lng = np.round(lat, 7), np.round(lng, 7)
    lines = []
    for i in range(side):
        for j in range(side):
            if j + 1 < side:
                lines.append([(lng[i, j], lat[i, j]), (lng[i, j + 1], lat[i, j + 1])])
            if i + 1 < side:
                lines.append([(lng[i, j], lat[i, j]), (lng[i + 1, j], lat[i + 1, j])])
    return lines


def reference(network: WalkingNetwork, plat, plng, slat, slng, max_m: float):
    """One full Dijkstra per site (from both ends of its segment), then every point."""
    p, s = network.snap(plat, plng), network.snap(slat, slng)
    u, v, length = network.edge_u, network.edge_v, network.edge_m
    pu, pv = u[p.edge], v[p.edge]
    pa, pb = p.offset_m, length[p.edge] - p.offset_m
    graph = network.graph
    points, sites, metres = [], [], []
    for j in range(s.edge.size):
        e = s.edge[j]
        d = dijkstra(graph, directed=True, indices=[u[e], v[e]])
        node = np.minimum(d[0] + s.offset_m[j], d[1] + (length[e] - s.offset_m[j]))
        walk = np.minimum(node[pu] + pa, node[pv] + pb)
        same = p.edge == e
        walk[same] = np.minimum(walk[same], np.abs(p.offset_m[same] - s.offset_m[j]))
        walk += p.connector_m + s.connector_m[j]
        keep = np.flatnonzero(walk <= max_m)
        points.append(keep)
        sites.append(np.full(keep.size, j))
        metres.append(walk[keep])
    point, site, metre = map(np.concatenate, (points, sites, metres))
    order = np.lexsort((site, point))
    return point[order], site[order], metre[order]


def igraph_engine():
    """A stand-in for siting.network._shortest_from running igraph's Dijkstra."""
    import igraph

    built: dict[int, tuple] = {}

    def shortest(graph, sources, limit):
        key = id(graph)
        if key not in built:
            coo = graph.tocoo()
            g = igraph.Graph(
                n=graph.shape[0], edges=np.column_stack([coo.row, coo.col]).tolist(), directed=True
            )
            built.clear()
            built[key] = (graph, g, coo.data.tolist())
        _, g, weights = built[key]
        d = np.array(g.distances(source=sources.tolist(), weights=weights, mode="out"))
        d[d > limit] = np.inf
        return d

    return shortest


def same_pairs(a, b) -> str:
    """Whether two results hold the same pairs and metres (to 1e-6 m)."""
    pa, sa, ma = a
    pb, sb, mb = b
    if pa.size == pb.size and (pa == pb).all() and (sa == sb).all():
        return f"same pairs, metres differ by at most {np.abs(ma - mb).max(initial=0):.1e} m"
    ka = set(zip(pa.tolist(), sa.tolist(), strict=True))
    kb = set(zip(pb.tolist(), sb.tolist(), strict=True))
    return f"DIFFERENT: {len(ka - kb)} pairs only in the first, {len(kb - ka)} only in the second"


def run_command(lines, plat, plng, slat, slng, minutes: float) -> tuple[float, int]:
    """``manage.py walk_times`` in a process of its own: (seconds, rows printed)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        features = [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "LineString", "coordinates": ln},
            }
            for ln in lines
        ]
        (folder / "grid.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "features": features})
        )
        for name, lat, lng in (("points", plat, plng), ("sites", slat, slng)):
            with (folder / f"{name}.csv").open("w", newline="") as file:
                writer = csv.writer(file)
                writer.writerow(["id", "lat", "lng"])
                writer.writerows(
                    (f"{name[0]}{k}", f"{a:.7f}", f"{b:.7f}")
                    for k, (a, b) in enumerate(zip(lat, lng, strict=True))
                )
        args = [sys.executable, str(ROOT / "manage.py"), "walk_times"]
        args += [str(folder / x) for x in ("grid.geojson", "points.csv", "sites.csv")]
        args += ["--max-minutes", str(minutes)]
        t0 = time.perf_counter()
        run = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=True)
        return time.perf_counter() - t0, run.stdout.count("\n") - 1


def compare_engines(ours, igraph_sites: int) -> None:
    """scipy's Dijkstra with its cut-off against igraph's in its place, on a sample of sites."""
    print(f"the shortest-path engine, on the first {igraph_sites} sites:")
    try:
        import igraph  # noqa: F401
    except ImportError:
        print("  igraph is not installed (`make bench` installs it from requirements-bench.lock)")
        print()
        return
    sample, t_sample, _ = measure(ours, sites=igraph_sites)
    original = network_module._shortest_from
    network_module._shortest_from = igraph_engine()
    try:
        via_igraph, t_igraph, m_igraph = measure(ours, sites=igraph_sites)
    finally:
        network_module._shortest_from = original
    print(f"  scipy (cut off at the reach):  {t_sample:7.2f} s")
    print(
        f"  igraph (whole network):        {t_igraph:7.2f} s  peak {m_igraph:5.0f} MiB  "
        f"{same_pairs(sample, via_igraph)}"
    )
    print(
        f"  kept: {'scipy' if t_sample < t_igraph else 'igraph'}, {t_igraph / t_sample:.0f}× "
        "faster than igraph here: igraph's Python API has no cut-off, so every search covers "
        "the whole network instead of the 15 minutes around a site, and its distances come "
        "back as Python lists"
    )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 60 × 60 grid, 2,000 × 100")
    parser.add_argument("--skip-reference", action="store_true")
    args = parser.parse_args()
    side, n_points, n_sites = (60, 2_000, 100) if args.quick else (200, 20_000, 1_000)
    igraph_sites = min(n_sites, 100)  # igraph searches the whole network: a sample of sites
    minutes, speed = 15.0, WALKING_SPEED_M_PER_MIN
    max_m = minutes * speed
    rng = np.random.default_rng(17)

    lines = grid_lines(side, rng)
    network, seconds, peak = measure(WalkingNetwork.from_lines, lines)
    print(
        f"network: {network.edge_count:,} segments, {network.node_count:,} corners, "
        f"{network.length_m / 1000:,.0f} km; built in {seconds:.2f} s, peak {peak:.0f} MiB"
    )
    _, seconds, _ = measure(lambda: (network.graph, network.snap([LAT0], [LNG0])))
    print(f"graph and segment index built in {seconds:.2f} s (once per network, then cached)")
    span_lat, span_lng = BLOCK_LAT * (side - 1), BLOCK_LNG * (side - 1)
    # To 1e-7°, as the command's CSV files hold them, so that its output compares exactly.
    plat = np.round(LAT0 + rng.uniform(0, span_lat, n_points), 7)
    plng = np.round(LNG0 + rng.uniform(0, span_lng, n_points), 7)
    slat = np.round(LAT0 + rng.uniform(0, span_lat, n_sites), 7)
    slng = np.round(LNG0 + rng.uniform(0, span_lng, n_sites), 7)
    print(f"{n_points:,} points × {n_sites:,} sites within {minutes:g} min at {speed:g} m/min")
    dense_mib = n_points * n_sites * 8 / 2**20
    print(f"(a dense points × sites matrix of float64 alone: {dense_mib:,.0f} MiB)")
    print()

    def ours(sites=n_sites, **kwargs):
        found = pairs_within(network, plat, plng, slat[:sites], slng[:sites], max_m, **kwargs)
        return tuple(found)

    fast, t_fast, m_fast = measure(ours)
    print(
        f"pairs_within (scipy, batches):   {t_fast:7.2f} s  peak {m_fast:5.0f} MiB  "
        f"{fast[0].size:,} pairs"
    )
    one = network.node_count + n_sites  # batch_entries for one site per batch
    single, t_single, m_single = measure(ours, batch_entries=one)
    print(
        f"scipy, one site per batch:       {t_single:7.2f} s  peak {m_single:5.0f} MiB  "
        f"{same_pairs(fast, single)}"
    )
    if not args.skip_reference:
        ref, t_ref, m_ref = measure(reference, network, plat, plng, slat, slng, max_m)
        print(
            f"reference (full Dijkstra/site):  {t_ref:7.2f} s  peak {m_ref:5.0f} MiB  "
            f"{same_pairs(fast, ref)}"
        )
        print(f"  speed-up over the reference: {t_ref / t_fast:.0f}×")
    print()

    compare_engines(ours, igraph_sites)

    seconds, rows = run_command(lines, plat, plng, slat, slng, minutes)
    check = "the same pairs" if rows == fast[0].size else f"{rows:,} pairs: DIFFERENT"
    print(
        f"manage.py walk_times end to end: {seconds:7.2f} s  {rows:,} rows, {check} "
        "(starting Django, reading the GeoJSON and CSVs, writing CSV)"
    )
    print()

    print("memory against pairs in reach:")
    for m in (5.0, 10.0, 15.0):
        result, seconds, peak = measure(
            lambda m=m: pairs_within(network, plat, plng, slat, slng, m * speed)
        )
        print(
            f"  {m:4.0f} min: {result.point.size:>10,} pairs  {seconds:6.2f} s  "
            f"peak {peak:5.0f} MiB"
        )


if __name__ == "__main__":
    main()
