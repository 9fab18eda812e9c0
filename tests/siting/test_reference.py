"""The reference instances with optima proved by HiGHS (``shared/siting/instances``).

The shared folder sits beside the repository checkout; where it is absent those cases are
skipped, and the copy of the smallest instance in ``tests/siting/data`` still runs.
"""

import json
from pathlib import Path

import pytest

from siting import load_instance, solve_instance
from tests.siting.support import DATA, SHARED, dense, mclp_value, pmedian_value, raw_instance

SHARED_INSTANCES = SHARED / "instances"


def _cases(folder: Path):
    expected = json.loads((folder / "expected.json").read_text())["instances"]
    for name, info in sorted(expected.items(), key=lambda kv: kv[1]["n_demand"]):
        for model in info["models"]:
            yield pytest.param(folder / name, model, info[model], id=f"{name}-{model}")


def _shared_cases():
    if not (SHARED_INSTANCES / "expected.json").exists():
        return [
            pytest.param(
                None, None, None,
                marks=pytest.mark.skip(reason=f"shared instances not found at {SHARED_INSTANCES}"),
            )
        ]  # fmt: skip
    return list(_cases(SHARED_INSTANCES))


def _recomputed(path: Path, model: str, chosen_ids: list) -> float:
    raw = raw_instance(path)
    dist, w, by_id = dense(raw)
    chosen = [by_id[c] for c in chosen_ids]
    if model == "mclp":
        return mclp_value(dist, w, chosen, raw["radius_m"])
    return pmedian_value(dist, w, chosen)


def _check_exact(path: Path, model: str, optimum: float):
    raw = raw_instance(path)
    out = solve_instance(load_instance(path), model, method="exact")
    value = _recomputed(path, model, out["chosen"])
    assert len(out["chosen"]) == raw["p"]
    fixed = {c["id"] for c in raw["candidates"] if c.get("fixed")}
    assert fixed <= set(out["chosen"])
    if model == "mclp":
        assert value == optimum
    else:
        assert value == pytest.approx(optimum, rel=1e-6)
    assert out["objective"] == pytest.approx(value, rel=1e-9)
    assert out["gap"] == 0


def _check_heuristic(path: Path, model: str, optimum: float):
    out = solve_instance(load_instance(path), model, method="heuristic")
    value = _recomputed(path, model, out["chosen"])
    assert out["method"] == "heuristic"
    assert out["objective"] == pytest.approx(value, rel=1e-9)
    gap = out["gap"]
    if model == "mclp":  # maximise: never above the optimum; the bound is above it
        assert value <= optimum
        assert out["bound"] >= optimum
        assert value >= out["bound"] * (1 - gap) - 1e-6
    else:  # minimise
        assert value >= optimum * (1 - 1e-9)
        assert out["bound"] <= optimum * (1 + 1e-9)
        assert out["bound"] >= value * (1 - gap) * (1 - 1e-9)


@pytest.mark.parametrize(("path", "model", "optimum"), list(_cases(DATA)))
def test_bundled_reference_exact(path, model, optimum):
    _check_exact(path, model, optimum)


@pytest.mark.parametrize(("path", "model", "optimum"), list(_cases(DATA)))
def test_bundled_reference_heuristic(path, model, optimum):
    _check_heuristic(path, model, optimum)


@pytest.mark.parametrize(("path", "model", "optimum"), _shared_cases())
def test_shared_reference_exact(path, model, optimum):
    _check_exact(path, model, optimum)


@pytest.mark.parametrize(("path", "model", "optimum"), _shared_cases())
def test_shared_reference_heuristic(path, model, optimum):
    _check_heuristic(path, model, optimum)


def test_bundled_copy_matches_the_shared_expectations():
    if not (SHARED_INSTANCES / "expected.json").exists():
        pytest.skip(f"shared instances not found at {SHARED_INSTANCES}")
    ours = json.loads((DATA / "expected.json").read_text())["instances"]
    theirs = json.loads((SHARED_INSTANCES / "expected.json").read_text())["instances"]
    for name, info in ours.items():
        assert theirs[name] == info
        assert (DATA / name).read_bytes() == (SHARED_INSTANCES / name).read_bytes()
