"""Benchmark: the siting solvers of `siting`, exact and heuristic, against references.

Prints, for each case, wall time, peak memory (tracemalloc: numpy's buffers and Python objects;
HiGHS's own C++ memory is not traced), the objective, the bound and the gap:

1. the reference instances (``../shared/siting/instances``, or the bundled copy of the smallest
   one), checked against their proved optima; p-median also with the references below;
2. a generated p-median, 2,000 demand × 200 candidates (PySAL spopt + CBC did not finish it in
   300 s), against two references in the same run: HiGHS alone on our nearest-k lists
   (``reduce=False``) and the textbook dense model (an assignment variable for every
   demand × candidate pair, as spopt builds it);
3. a generated MCLP, 20,000 × 1,000, against the plain greedy on the same sparse matrix, and the
   memory of a dense demand × candidate matrix (what a dense formulation starts from).

No assertions on time: the figures are for reading (and vary with the machine's load).

    .venv/bin/python bench/bench_siting.py [--quick] [--time-limit 120]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from scipy.sparse import coo_array, csr_array

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from siting import (  # noqa: E402
    DemandPoints,
    Facilities,
    haversine_m,
    load_instance,
    neighbours_within,
    reach,
    solve_mclp,
    solve_pmedian,
)
from siting import milp as highs  # noqa: E402
from siting.coverage import coverage_gain, covered_weight  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "siting" / "instances"
BUNDLED = ROOT / "tests" / "siting" / "data"


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


def row(label: str, seconds: float, peak: float, objective, bound=None, gap=None, note=""):
    obj = f"{objective:>16,.2f}" if objective is not None else f"{'-':>16}"
    bnd = f"{bound:>16,.2f}" if bound is not None and np.isfinite(bound) else f"{'-':>16}"
    gp = f"{gap:>9.2e}" if gap is not None and np.isfinite(gap) else f"{'-':>9}"
    print(f"  {label:<34} {seconds:>8.2f} s {peak:>8.1f} MiB {obj} {bnd} {gp}  {note}")


def header(title: str):
    print(f"\n{title}")
    print(
        f"  {'method':<34} {'time':>10} {'peak':>12} {'objective':>16} {'bound':>16} "
        f"{'gap':>9}  note"
    )


def clustered(n: int, m: int, seed: int, clusters: int):
    """Clustered demand (weights 1-50) and uniform candidates around Fenglin street."""
    rng = np.random.default_rng(seed)
    lat0, lng0 = 31.183, 121.443
    centres = np.column_stack(
        [lat0 + rng.random(clusters) * 0.03, lng0 + rng.random(clusters) * 0.035]
    )
    which = rng.integers(0, clusters, n)
    demand = DemandPoints.from_arrays(
        centres[which, 0] + rng.normal(0, 0.003, n),
        centres[which, 1] + rng.normal(0, 0.0035, n),
        rng.integers(1, 51, n).astype(float),
    )
    cands = Facilities.from_arrays(lat0 + rng.random(m) * 0.03, lng0 + rng.random(m) * 0.035)
    return demand, cands


def dense_pmedian(demand: DemandPoints, cands: Facilities, p: int, fixed, time_limit: float):
    """Reference: the textbook p-median MILP with n × m assignment variables, solved by HiGHS."""
    dist = haversine_m(demand.lat[:, None], demand.lng[:, None], cands.lat, cands.lng)
    n, m = dist.shape
    c = np.concatenate([np.zeros(m), (demand.weight[:, None] * dist).ravel()])
    x = m + np.arange(n * m)
    i = np.repeat(np.arange(n), m)
    j = np.tile(np.arange(m), n)
    rows = np.concatenate([i, n + np.arange(n * m), n + np.arange(n * m), np.full(m, n + n * m)])
    cols = np.concatenate([x, x, j, np.arange(m)])
    vals = np.concatenate([np.ones(n * m), np.ones(n * m), -np.ones(n * m), np.ones(m)])
    a = csr_array(coo_array((vals, (rows, cols)), shape=(n + n * m + 1, m + n * m)))
    lo = np.concatenate([np.ones(n), np.full(n * m, -np.inf), [p]])
    hi = np.concatenate([np.ones(n), np.zeros(n * m), [p]])
    lb = np.zeros(m + n * m)
    lb[:m] = fixed
    integer = np.concatenate([np.ones(m), np.zeros(n * m)])
    out = highs.solve(c, a, lo, hi, lb, np.ones(m + n * m), integer, time_limit=time_limit)
    if out.x is None:
        return None, out.bound, out.optimal
    chosen = np.flatnonzero(out.x[:m] > 0.5)
    return float(demand.weight @ dist[:, chosen].min(axis=1)), out.bound, out.optimal


def plain_greedy(cover: csr_array, weight: np.ndarray, p: int) -> np.ndarray:
    """Reference: add the site with the largest coverage gain, p times (no swaps)."""
    open_mask = np.zeros(cover.shape[1], dtype=bool)
    for _ in range(p):
        open_mask[int(np.argmax(coverage_gain(cover, weight, open_mask)))] = True
    return open_mask


def dense_cover(demand: DemandPoints, cands: Facilities, radius: float) -> int:
    """Reference memory: the dense demand × candidate distance and coverage matrices."""
    dist = haversine_m(demand.lat[:, None], demand.lng[:, None], cands.lat, cands.lng)
    return int((dist <= radius).sum())


def reference_instances(time_limit: float, quick: bool):
    folder = SHARED if (SHARED / "expected.json").exists() else BUNDLED
    expected = json.loads((folder / "expected.json").read_text())["instances"]
    print(f"\n1. Reference instances from {folder}")
    for name, info in sorted(expected.items(), key=lambda kv: kv[1]["n_demand"]):
        inst = load_instance(folder / name)
        for model in info["models"]:
            header(f"{name} - {model} (proved optimum {info[model]:,.2f})")
            kwargs = {"p": info["p"], "fixed": inst.fixed, "excluded": inst.excluded}
            solve = solve_mclp if model == "mclp" else solve_pmedian
            if model == "mclp":
                kwargs["radius_m"] = inst.radius_m
            for method in ("exact", "heuristic"):
                sol, s, peak = measure(solve, inst.demand, inst.candidates, method=method, **kwargs)
                ok = np.isclose(sol.objective, info[model], rtol=1e-6, atol=0)
                note = f"{sol.status}, bound {sol.bound_kind}" + (", = optimum" if ok else "")
                row(method, s, peak, sol.objective, sol.bound, sol.gap, note)
            if model == "pmedian":
                sol, s, peak = measure(
                    solve, inst.demand, inst.candidates, method="exact", reduce=False, **kwargs
                )
                row("ref: HiGHS alone on nearest-k", s, peak, sol.objective, sol.bound, sol.gap)
                if not quick:
                    (value, bound, optimal), s, peak = measure(
                        dense_pmedian, inst.demand, inst.candidates, info["p"], inst.fixed,
                        time_limit,
                    )  # fmt: skip
                    note = "optimal" if optimal else "time limit"
                    row("ref: dense n×m model, HiGHS", s, peak, value, bound, None, note)


def generated_pmedian(time_limit: float, quick: bool):
    demand, cands = clustered(2000, 200, seed=7, clusters=12)
    for p in (10, 20):
        header(f"2. Generated p-median, 2,000 × 200, p = {p}")
        for method in ("exact", "heuristic"):
            sol, s, peak = measure(solve_pmedian, demand, cands, p=p, method=method)
            row(
                method,
                s,
                peak,
                sol.objective,
                sol.bound,
                sol.gap,
                f"{sol.status}, {sol.bound_kind}",
            )
        sol, s, peak = measure(
            solve_pmedian, demand, cands, p=p, method="exact", reduce=False, time_limit=time_limit
        )
        row("ref: HiGHS alone on nearest-k", s, peak, sol.objective, sol.bound, sol.gap, sol.status)
        if not quick and p == 10:
            (value, bound, optimal), s, peak = measure(
                dense_pmedian, demand, cands, p, np.zeros(200), time_limit
            )
            note = "optimal" if optimal else f"time limit {time_limit:g} s"
            row("ref: dense n×m model, HiGHS", s, peak, value, bound, None, note)


def generated_mclp(time_limit: float, quick: bool):
    n, m, p, radius = (5000, 300, 15, 400.0) if quick else (20_000, 1000, 30, 400.0)
    demand, cands = clustered(n, m, seed=1, clusters=max(5, n // 500))
    header(f"3. Generated MCLP, {n:,} × {m:,}, p = {p}, radius {radius:g} m")
    cover, s, peak = measure(
        lambda: reach(neighbours_within(demand.lat, demand.lng, cands.lat, cands.lng, radius))
    )
    row("sparse neighbour matrix", s, peak, None, note=f"{cover.nnz:,} pairs within reach")
    pairs, s, peak = measure(dense_cover, demand, cands, radius)
    row("ref: dense n×m distance matrix", s, peak, None, note=f"{pairs:,} pairs within reach")
    mask, s, peak = measure(plain_greedy, cover, demand.weight, p)
    row("ref: plain greedy (same matrix)", s, peak, covered_weight(cover, demand.weight, mask))
    sol, s, peak = measure(solve_mclp, demand, cands, p=p, radius_m=radius, method="heuristic")
    row("heuristic", s, peak, sol.objective, sol.bound, sol.gap, sol.bound_kind)
    sol, s, peak = measure(
        solve_mclp, demand, cands, p=p, radius_m=radius, method="exact", time_limit=time_limit
    )
    row(f"exact (time limit {time_limit:g} s)", s, peak, sol.objective, sol.bound, sol.gap,
        f"{sol.status}, bound {sol.bound_kind}")  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the dense references")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per reference")
    args = parser.parse_args()
    reference_instances(args.time_limit, args.quick)
    generated_pmedian(args.time_limit, args.quick)
    generated_mclp(args.time_limit, args.quick)


if __name__ == "__main__":
    main()
