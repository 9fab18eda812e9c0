"""Benchmark: ``method="auto"`` against HiGHS alone, with the same time limit, in the same run.

For each instance, model and time limit (10, 30 and 60 s), two rows:

- ours: ``solve_mclp`` / ``solve_pmedian`` / ``solve_lscp`` with ``method="auto"`` from the
  coordinates (finding the pairs within reach included);
- HiGHS alone: the same reduced MILP (for p-median the nearest-k restricted model, as
  ``reduce=False`` builds it), no warm start, no reduction by the bound, given what is left of
  the same limit after building it. HiGHS does not keep its own limit (its presolve can run for
  minutes past it), so it is stopped at the limit like ours, with the best it reported by then.

Printed: objective, bound, gap, time to the best answer, time to proof (blank: not proven), wall
time, and peak memory: the solving process's peak resident size and that of the HiGHS child it
started (``ru_maxrss``; the two overlap by the pages they share). Each run is a forked process
of its own, so that the peaks are its own. Instances: the reference instances
(``../shared/siting/instances``, else ``tests/siting/data``; objective checked against the
proved optimum), then generated clustered MCLP instances of 10,000 × 500 (p = 20) and 50,000 ×
2,000 (p = 50), 400 m. No assertions: the figures are for reading, and vary with the load.

    .venv/bin/python bench/siting/bench_auto.py [--limits 10,30,60] [--quick] [--models mclp]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from siting import (  # noqa: E402
    load_instance,
    milp,
    neighbours_within,
    reach,
    solve_lscp,
    solve_mclp,
    solve_pmedian,
)
from siting import lscp as lscp_mod  # noqa: E402
from siting import mclp as mclp_mod  # noqa: E402
from siting.pmedian import model as pmedian_model  # noqa: E402
from siting.pmedian import problem as pmedian_problem  # noqa: E402
from tests.siting.support import clustered  # noqa: E402

SHARED = ROOT.parent / "shared" / "siting" / "instances"
BUNDLED = ROOT / "tests" / "siting" / "data"


def in_child(fn, *args):
    """Run ``fn(*args)`` in a forked process; return its result, its peak RSS and its children's
    (MB)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            result = fn(*args)
        except Exception as exc:  # noqa: BLE001 - reported in the table
            result = {"error": f"{type(exc).__name__}: {exc}"}
        self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        with os.fdopen(write_end, "wb") as f:
            pickle.dump((result, self_mb, child_mb), f)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    return pickle.loads(data)


def ours(case: dict, limit: float) -> dict:
    t0 = time.perf_counter()
    common = {"fixed": case["fixed"], "excluded": case["excluded"]}
    d, c = case["demand"], case["cands"]
    if case["model"] == "mclp":
        sol = solve_mclp(d, c, p=case["p"], radius_m=case["radius"], time_limit=limit, **common)
    elif case["model"] == "pmedian":
        sol = solve_pmedian(d, c, p=case["p"], time_limit=limit, **common)
    else:
        sol = solve_lscp(d, c, radius_m=case["radius"], time_limit=limit, **common)
    return {
        "objective": sol.objective,
        "bound": sol.bound,
        "gap": sol.gap,
        "best": sol.seconds_to_best,
        "proof": sol.seconds_to_proof,
        "wall": time.perf_counter() - t0,
        "note": f"{sol.method}/{sol.status}, bound {sol.bound_kind}",
    }


def _mclp_model(case: dict):
    cover = reach(neighbours_within(case["demand"].lat, case["demand"].lng, case["cands"].lat,
                                    case["cands"].lng, case["radius"]))  # fmt: skip
    red = mclp_mod._reduce(cover, case["demand"].weight, case["p"], case["fixed"],
                           case["excluded"])  # fmt: skip
    constant = float(case["demand"].weight[(cover @ case["fixed"].astype(float)) > 0].sum())
    return mclp_mod._model(red), red.a.shape[1], lambda v: constant + v


def _lscp_model(case: dict):
    d, fixed, allowed = case["demand"], case["fixed"], ~case["excluded"]
    cover = reach(neighbours_within(d.lat, d.lng, case["cands"].lat, case["cands"].lng,
                                    case["radius"]))  # fmt: skip
    coverable = ((cover @ allowed.astype(float)) > 0) & (d.weight > 0)
    by_fixed = (cover @ fixed.astype(float)) > 0
    rows = np.flatnonzero(coverable & ~by_fixed)
    cols = np.flatnonzero(allowed & ~fixed)
    a, w = mclp_mod.merge_identical_rows(cover[rows][:, cols].tocsr(), d.weight[rows])
    n_fixed = int(fixed.sum())
    return lscp_mod._model(a, w, float(w.sum()), True), a.shape[1], lambda v: n_fixed + v


def _pmedian_model(case: dict):
    d, c = case["demand"], case["cands"]
    allowed = np.flatnonzero(~case["excluded"])
    lat, lng, w = pmedian_problem._merge_points(d.lat, d.lng, d.weight)
    prob = pmedian_problem._Problem(
        lat, lng, w, c.lat[allowed], c.lng[allowed], case["fixed"][allowed], case["p"]
    )
    k0 = pmedian_problem.initial_k(prob.m, prob.p)
    lists = pmedian_problem._Lists.build(prob, np.full(prob.n, k0))
    return pmedian_model._model(prob, lists), prob.m, lambda v: v


def highs_alone(case: dict, limit: float) -> dict:
    t0 = time.perf_counter()
    build = {"mclp": _mclp_model, "lscp": _lscp_model, "pmedian": _pmedian_model}[case["model"]]
    model, n_sites, value = build(case)
    left = max(limit - (time.perf_counter() - t0), 0.0)
    out = milp.solve(*model, time_limit=left)
    wall = time.perf_counter() - t0
    sign = -1 if case["model"] == "mclp" else 1  # MCLP is solved as a minimisation
    objective = value(sign * out.objective) if out.x is not None else None
    bound = value(sign * out.bound) if np.isfinite(out.bound) else None
    if case["model"] == "pmedian" and objective is not None:
        # The restricted model's value prices far points at their fallback: price the answer.
        objective = _pmedian_price(case, np.flatnonzero(out.x[:n_sites] > 0.5))
    gap = None
    if objective is not None and bound is not None:
        gap = abs(objective - bound) / max(abs(objective), abs(bound), 1e-300)
    return {
        "objective": objective,
        "bound": bound,
        "gap": gap,
        "best": None if out.found_at is None else out.found_at - t0,
        "proof": wall if out.optimal else None,
        "wall": wall,
        "note": out.status,
    }


def _pmedian_price(case: dict, chosen: np.ndarray) -> float:
    from siting import nearest_k

    chosen = np.flatnonzero(~case["excluded"])[chosen]
    d = case["demand"]
    _, dist = nearest_k(d.lat, d.lng, case["cands"].lat[chosen], case["cands"].lng[chosen], 1)
    return float(d.weight @ dist[:, 0])


def fmt(x, width=14, digits=2):
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return f"{'-':>{width}}"
    return f"{x:>{width},.{digits}f}"


def header(title: str):
    print(f"\n{title}")
    print(
        f"  {'limit':>5} {'solver':<12} {'objective':>14} {'bound':>14} {'gap':>9} "
        f"{'t best':>7} {'t proof':>7} {'wall':>7} {'peak MB':>14}  note"
    )


def row(limit, label, result, self_mb, child_mb, optimum=None):
    if "error" in result:
        print(f"  {limit:>5g} {label:<12} {result['error']}")
        return
    gap = result["gap"]
    gap_text = f"{gap:>9.2e}" if gap is not None and np.isfinite(gap) else f"{'-':>9}"
    note = result["note"]
    if optimum is not None and result["objective"] is not None:
        same = np.isclose(result["objective"], optimum, rtol=1e-6, atol=0)
        note += ", = optimum" if same else ", != optimum"
    peak = f"{self_mb:,.0f} / {child_mb:,.0f}"
    print(
        f"  {limit:>5g} {label:<12} {fmt(result['objective'])} {fmt(result['bound'])} {gap_text}"
        f" {fmt(result['best'], 7)} {fmt(result['proof'], 7)} {fmt(result['wall'], 7)}"
        f" {peak:>14}  {note}"
    )


def reference_cases():
    folder = SHARED if (SHARED / "expected.json").exists() else BUNDLED
    expected = json.loads((folder / "expected.json").read_text())["instances"]
    for name, info in sorted(expected.items(), key=lambda kv: kv[1]["n_demand"]):
        inst = load_instance(folder / name)
        for model in info["models"]:
            yield (
                f"{name} - {model} (proved optimum {info[model]:,.2f})",
                {
                    "model": model,
                    "demand": inst.demand,
                    "cands": inst.candidates,
                    "p": info["p"],
                    "radius": inst.radius_m,
                    "fixed": inst.fixed,
                    "excluded": inst.excluded,
                },  # fmt: skip
                info[model],
            )


def generated_cases(quick: bool, models: list[str]):
    sizes = [(10_000, 500, 20, 20)] + ([] if quick else [(50_000, 2_000, 50, 100)])
    for n, m, p, clusters in sizes:
        demand, cands = clustered(n, m, seed=1, clusters=clusters)
        none = np.zeros(m, dtype=bool)
        for model in models:
            yield (
                f"generated {n:,} × {m:,} - {model}, p = {p}, 400 m",
                {
                    "model": model,
                    "demand": demand,
                    "cands": cands,
                    "p": p,
                    "radius": 400.0,
                    "fixed": none,
                    "excluded": none,
                },  # fmt: skip
                None,
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limits", default="10,30,60", help="seconds, comma-separated")
    parser.add_argument("--quick", action="store_true", help="10,000 × 500 only; 10 s only")
    parser.add_argument("--models", default="mclp", help="models on the generated instances")
    args = parser.parse_args()
    limits = [10.0] if args.quick else [float(x) for x in args.limits.split(",")]
    print(f"HiGHS memory budget {milp.MEMORY_BUDGET_MB:,.0f} MB; 'peak MB' = solver / HiGHS child")
    cases = [*reference_cases(), *generated_cases(args.quick, args.models.split(","))]
    for title, case, optimum in cases:
        header(title)
        for limit in limits:
            for label, fn in (("ours (auto)", ours), ("HiGHS alone", highs_alone)):
                result, self_mb, child_mb = in_child(fn, case, limit)
                row(limit, label, result, self_mb, child_mb, optimum)


if __name__ == "__main__":
    main()
