"""Test helpers: an independent distance, brute-force optima and small instance builders.

The brute-force solvers enumerate every choice; they are the "hand computation" the solvers are
checked against on small cases.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np

from siting import DemandPoints, Facilities

R = 6_371_008.8
METRES_PER_DEGREE = R * math.pi / 180  # along a meridian

DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "siting"


def hav(lat1, lng1, lat2, lng2):
    """Haversine written out separately from the package's implementation."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(np.subtract(lng2, lng1)) / 2) ** 2
    )
    return 2 * R * np.arcsin(np.sqrt(h))


def north_of(lat: float, metres: float) -> float:
    """Latitude ``metres`` due north of ``lat`` (distance along a meridian is R × Δφ)."""
    return lat + metres / METRES_PER_DEGREE


def raw_instance(path: Path) -> dict:
    return json.loads(path.read_text())


def dense(inst: dict) -> tuple[np.ndarray, np.ndarray, dict]:
    """Dense demand × candidate distance matrix, weights and candidate position by id."""
    d = inst["demand"]
    c = inst["candidates"]
    dlat = np.array([x["lat"] for x in d])[:, None]
    dlng = np.array([x["lng"] for x in d])[:, None]
    clat = np.array([x["lat"] for x in c])[None, :]
    clng = np.array([x["lng"] for x in c])[None, :]
    w = np.array([x["weight"] for x in d], dtype=float)
    return hav(dlat, dlng, clat, clng), w, {x["id"]: j for j, x in enumerate(c)}


def mclp_value(dist: np.ndarray, w: np.ndarray, chosen, radius: float) -> float:
    chosen = list(chosen)
    if not chosen:
        return 0.0
    return float(w[(dist[:, chosen] <= radius).any(axis=1)].sum())


def pmedian_value(dist: np.ndarray, w: np.ndarray, chosen) -> float:
    return float(w @ dist[:, list(chosen)].min(axis=1))


def brute_mclp(dist, w, p, radius, fixed=(), excluded=()):
    free = [j for j in range(dist.shape[1]) if j not in fixed and j not in excluded]
    return max(
        mclp_value(dist, w, [*fixed, *combo], radius)
        for combo in itertools.combinations(free, p - len(fixed))
    )


def brute_pmedian(dist, w, p, fixed=(), excluded=()):
    free = [j for j in range(dist.shape[1]) if j not in fixed and j not in excluded]
    return min(
        pmedian_value(dist, w, [*fixed, *combo])
        for combo in itertools.combinations(free, p - len(fixed))
    )


def brute_lscp(dist, w, radius, target, fixed=(), excluded=()):
    allowed = [j for j in range(dist.shape[1]) if j not in excluded]
    coverable = float(w[(dist[:, allowed] <= radius).any(axis=1)].sum()) if allowed else 0.0
    free = [j for j in allowed if j not in fixed]
    for extra in range(len(free) + 1):
        for combo in itertools.combinations(free, extra):
            if mclp_value(dist, w, [*fixed, *combo], radius) >= target * coverable - 1e-9:
                return len(fixed) + extra
    raise AssertionError("unreachable: all allowed sites reach every coverable point")


def random_case(seed: int, n: int, m: int, spread: float = 0.01):
    """Random demand and candidates in a small box near Fenglin street."""
    rng = np.random.default_rng(seed)
    lat0, lng0 = 31.19, 121.45
    demand = DemandPoints.from_arrays(
        lat0 + rng.random(n) * spread,
        lng0 + rng.random(n) * spread,
        rng.integers(1, 51, n).astype(float),
    )
    cands = Facilities.from_arrays(lat0 + rng.random(m) * spread, lng0 + rng.random(m) * spread)
    dist = hav(demand.lat[:, None], demand.lng[:, None], cands.lat[None, :], cands.lng[None, :])
    return demand, cands, dist


def clustered(n: int, m: int, seed: int, clusters: int, span: float = 0.035):
    """Clustered demand (weights 1-50) and uniform candidates in a square of ``span`` degrees
    around Fenglin street: the benchmarks' generator (bench/siting/bench_spopt.py)."""
    rng = np.random.default_rng(seed)
    lat0, lng0 = 31.19 - span / 2, 121.45 - span / 2
    centres = np.column_stack(
        [lat0 + rng.random(clusters) * span, lng0 + rng.random(clusters) * span]
    )
    which = rng.integers(0, clusters, n)
    spread = min(0.003, span / 10)
    demand = DemandPoints.from_arrays(
        centres[which, 0] + rng.normal(0, spread, n),
        centres[which, 1] + rng.normal(0, spread * 1.15, n),
        rng.integers(1, 51, n).astype(float),
    )
    cands = Facilities.from_arrays(lat0 + rng.random(m) * span, lng0 + rng.random(m) * span)
    return demand, cands
