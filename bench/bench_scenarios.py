"""Benchmark: evaluating a scenario at 100,000 demand points × 5,000 sites.

Runs `scenarios.evaluation.evaluate_service` (what the coverage and scenario pages run, after the
database reads) on synthetic inputs around Fenglin, from scratch: measuring the walks (straight
line × 1.3, the model with no street network; `bench_walk_times.py` times the network) up to
the threshold, then the metrics. It prints time and peak memory (tracemalloc,
which sees numpy's buffers). In the same run it checks the answer against a dense reference that
builds the whole demand × site distance matrix, at a size the dense method can afford, and times
both there. No database is touched.

    DEBUG=1 .venv/bin/python bench/bench_scenarios.py [--demand 100000] [--sites 5000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fenglin.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402

from scenarios.evaluation import evaluate_service, fingerprint  # noqa: E402
from scenarios.inputs import Parameters, PlanInputs, Provider  # noqa: E402
from sites.models import Area, ServiceType  # noqa: E402
from sites.network import STRAIGHT_LINE  # noqa: E402
from sites.travel import Register, travel_times  # noqa: E402
from surveys.demand import DemandRow  # noqa: E402

BOX = (31.15, 31.24, 121.40, 121.51)  # the SITE_REGION box
THRESHOLD_M = 300.0
DETOUR = 1.3
R = 6_371_008.8


def synthetic(n_demand: int, n_sites: int, seed: int) -> tuple[PlanInputs, ServiceType]:
    """n_demand areas (one demand point each, no boundary) and n_sites canteens."""
    rng = np.random.default_rng(seed)
    service = ServiceType(
        pk=1, code="canteen", threshold_m=int(THRESHOLD_M), target_group="elderly"
    )
    lat = rng.uniform(BOX[0], BOX[1], n_demand)
    lng = rng.uniform(BOX[2], BOX[3], n_demand)
    pop = rng.integers(50, 400, n_demand)
    areas = [
        Area(
            pk=i + 1,
            code=f"a{i}",
            name=f"a{i}",
            centroid_lat=lat[i],
            centroid_lng=lng[i],
            population_total=int(pop[i]) * 3,
            population_elderly=int(pop[i]),
        )
        for i in range(n_demand)
    ]
    rate = rng.uniform(0.1, 0.6, n_demand)
    demand = {
        (a.pk, service.pk): DemandRow(
            area=a,
            service_type=service,
            respondents=10,
            choosers=3,
            street_rate=0.3,
            rate=float(rate[i]),
            population=a.population_elderly,
            demand=float(rate[i]) * a.population_elderly,
            uses_population=True,
        )
        for i, a in enumerate(areas)
    }
    slat = rng.uniform(BOX[0], BOX[1], n_sites)
    slng = rng.uniform(BOX[2], BOX[3], n_sites)
    cap = rng.integers(50, 500, n_sites)
    providers = [
        Provider(
            site_id=j + 1,
            name=f"s{j}",
            lat=float(slat[j]),
            lng=float(slng[j]),
            service_type_id=service.pk,
            capacity=float(cap[j]),
            floor_area=None,
            added=False,
        )
        for j in range(n_sites)
    ]
    inputs = PlanInputs(
        params=Parameters(),
        service_types=[service],
        areas=areas,
        surveys=[],
        demand=demand,
        providers={service.pk: providers},
    )
    inputs.__dict__["residences"] = []  # no housing estates: one demand point per area
    # The sites and model the walks are measured on, as Register.now() would read them.
    register = inputs.__dict__["register"] = Register(
        site_ids=tuple(p.site_id for p in providers),
        positions=np.column_stack([slat, slng]),
        model=STRAIGHT_LINE,
        reach_m=THRESHOLD_M,
    )
    # The walks from the areas' centres (here the demand points themselves), measured once
    # outside the timing: a page reads them from the cache the gap matrix fills.
    inputs.__dict__["centre_walks"] = travel_times(np.column_stack([lat, lng]), register=register)
    return inputs, service


def evaluate_from_scratch(inputs: PlanInputs, service: ServiceType) -> dict:
    """What a page does on a cold cache: measure the walks, then evaluate."""
    cache.clear()
    inputs.__dict__.pop("walks", None)
    return evaluate_service(inputs, service)


def dense_reference(inputs: PlanInputs, service: ServiceType) -> dict:
    """The same figures from the full demand × site haversine matrix."""
    lat = np.radians([float(a.centroid_lat) for a in inputs.areas])[:, None]
    lng = np.radians([float(a.centroid_lng) for a in inputs.areas])[:, None]
    ps = inputs.providers[service.pk]
    slat = np.radians([p.lat for p in ps])[None, :]
    slng = np.radians([p.lng for p in ps])[None, :]
    w = np.array([r.demand for r in inputs.demand_rows(service)])
    a = np.sin((slat - lat) / 2) ** 2 + np.cos(lat) * np.cos(slat) * np.sin((slng - lng) / 2) ** 2
    d = 2 * R * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    j = d.argmin(axis=1)
    walk = d[np.arange(d.shape[0]), j] * DETOUR
    covered = walk <= service.threshold_m
    load = np.bincount(j[covered], weights=w[covered], minlength=len(ps))
    return {"share_covered": float(w[covered].sum() / w.sum()), "load": load}


def measure(fn, *args):
    """(result, seconds, peak MiB): timed without tracing, then run again under tracemalloc
    (whose bookkeeping would otherwise inflate the time)."""
    start = time.perf_counter()
    out = fn(*args)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    fn(*args)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, seconds, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demand", type=int, default=100_000)
    parser.add_argument("--sites", type=int, default=5_000)
    parser.add_argument("--reference-demand", type=int, default=20_000)
    parser.add_argument("--reference-sites", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    print(f"{'size':>18} {'method':<28} {'seconds':>9} {'peak MiB':>9}")

    # Reference size: both methods, same answer.
    inputs, service = synthetic(args.reference_demand, args.reference_sites, args.seed)
    size = f"{args.reference_demand:,} × {args.reference_sites:,}"
    ours, t_ours, m_ours = measure(evaluate_from_scratch, inputs, service)
    dense, t_dense, m_dense = measure(dense_reference, inputs, service)
    print(f"{size:>18} {'evaluate_service (sparse)':<28} {t_ours:9.3f} {m_ours:9.1f}")
    print(f"{size:>18} {'dense matrix reference':<28} {t_dense:9.3f} {m_dense:9.1f}")
    load = np.array([s["load"] for s in ours["sites"]])
    same_share = abs(ours["share_covered"] - dense["share_covered"]) <= 5e-5  # stored to 4 places
    same_load = np.allclose(load, dense["load"], atol=0.01)
    print(
        f"{'':>18} same answer: share {same_share}, load per site {same_load}; "
        f"speed-up {t_dense / t_ours:.1f}×, memory {m_dense / max(m_ours, 1e-9):.1f}× less"
    )
    if not (same_share and same_load):
        sys.exit("The sparse evaluation disagrees with the dense reference.")

    # Full size: ours only (the dense matrix would need n × m × 8 bytes several times over).
    inputs, service = synthetic(args.demand, args.sites, args.seed)
    size = f"{args.demand:,} × {args.sites:,}"
    ours, t_ours, m_ours = measure(evaluate_from_scratch, inputs, service)
    _fp, t_fp, m_fp = measure(fingerprint, inputs, service)
    dense_mib = args.demand * args.sites * 8 / 2**20
    print(f"{size:>18} {'evaluate_service (sparse)':<28} {t_ours:9.3f} {m_ours:9.1f}")
    print(f"{size:>18} {'input fingerprint':<28} {t_fp:9.3f} {m_fp:9.1f}")
    print(
        f"{'':>18} share covered {ours['share_covered']:.4f}; one dense float64 matrix alone "
        f"would take {dense_mib:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
