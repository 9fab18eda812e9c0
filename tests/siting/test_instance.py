import copy
import gzip
import json

import pytest

from siting import InstanceError, load_instance, parse_instance, solve_instance
from tests.siting.support import north_of

LAT, LNG = 31.2, 121.45

VALID = {
    "crs": "EPSG:4326",
    "demand": [
        {"id": "d0", "lat": LAT, "lng": LNG, "weight": 5},
        {"id": "d1", "lat": north_of(LAT, 300), "lng": LNG, "weight": 7},
        {"id": "d2", "lat": north_of(LAT, 2000), "lng": LNG, "weight": 11},
    ],
    "candidates": [
        {"id": "c0", "lat": north_of(LAT, 150), "lng": LNG, "fixed": False},
        {"id": "c1", "lat": north_of(LAT, 2000), "lng": LNG},
        {"id": "c2", "lat": north_of(LAT, 5000), "lng": LNG, "excluded": True},
    ],
    "radius_m": 200,
    "p": 1,
}


def _with(path: str, value):
    """A copy of VALID with the item at a dotted path set (or deleted when value is ...)."""
    data = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    if value is ...:
        del node[int(last) if last.isdigit() else last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return data


def test_valid_instance_loads(tmp_path):
    path = tmp_path / "inst.json"
    path.write_text(json.dumps(VALID))
    inst = load_instance(path)
    assert list(inst.demand.ids) == ["d0", "d1", "d2"]
    assert inst.demand.weight.tolist() == [5, 7, 11]
    assert inst.fixed.tolist() == [False, False, False]
    assert inst.excluded.tolist() == [False, False, True]
    assert (inst.radius_m, inst.p, inst.target) == (200.0, 1, None)


def test_gzip_instance_loads(tmp_path):
    path = tmp_path / "inst.json.gz"
    path.write_bytes(gzip.compress(json.dumps(VALID).encode()))
    assert len(load_instance(path).candidates) == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_with("demand", ...), "missing key 'demand'"),
        (_with("candidates", ...), "missing key 'candidates'"),
        (_with("candidates.1.lat", ...), "candidates[1]: missing key 'lat'"),
        (_with("demand.2.weight", ...), "demand[2]: missing key 'weight'"),
        (_with("demand.0.id", ...), "demand[0]: missing key 'id'"),
        (_with("demand.1.lat", 91), "demand[1]: lat 91.0 is out of range"),
        (_with("candidates.0.lng", -181.5), "candidates[0]: lng -181.5 is out of range"),
        (_with("demand.1.weight", -3), "demand[1]: weight must be non-negative"),
        (_with("demand.1.weight", "12"), "demand[1]: weight must be a number"),
        (_with("demand.1.weight", True), "demand[1]: weight must be a number"),
        (_with("demand.0.lat", None), "demand[0]: lat must be a number"),
        (_with("p", 4), "p = 4 is larger than the number of candidates (3)"),
        (_with("p", 3), "p = 3 is larger than the 2 candidates not excluded"),
        (_with("p", -1), "p must be a non-negative integer"),
        (_with("p", 1.5), "p must be a non-negative integer"),
        (_with("demand.2.id", "d0"), "demand[2]: duplicate id 'd0'"),
        (_with("candidates.1.id", "c0"), "candidates[1]: duplicate id 'c0'"),
        (_with("candidates.2.fixed", True), "candidates[2]: fixed and excluded at once"),
        (_with("candidates.0.fixed", "yes"), "candidates[0]: fixed must be true or false"),
        (_with("target", 1.5), "target must be a number in (0, 1]"),
        (_with("target", 0), "target must be a number in (0, 1]"),
        (_with("radius_m", 0), "radius_m must be a positive number"),
        (_with("crs", "EPSG:3857"), "crs must be 'EPSG:4326'"),
        (_with("demand", {"id": "x"}), "demand must be a list"),
        (_with("demand.0", 7), "demand[0]: must be an object"),
        ([1, 2], "instance must be a JSON object"),
    ],
)
def test_malformed_instances(data, message):
    with pytest.raises(InstanceError) as info:
        parse_instance(data)
    text = str(info.value)
    assert message in text
    assert "\n" not in text
    assert isinstance(info.value, ValueError)


def test_p_below_fixed_count():
    data = _with("candidates.0.fixed", True)
    data["candidates"][1]["fixed"] = True
    with pytest.raises(InstanceError, match=r"p = 1 is smaller than the 2 fixed candidates"):
        parse_instance(data)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"demand": [', "invalid JSON"),
        (b'{"demand": [], "candidates": [], "p": NaN}', "invalid JSON: NaN"),
        (b"\xff\xfe", "cannot decode"),
    ],
)
def test_unreadable_files(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(InstanceError, match=message):
        load_instance(path)


def test_missing_file_and_bad_gzip(tmp_path):
    with pytest.raises(InstanceError, match="no such file"):
        load_instance(tmp_path / "absent.json")
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(b"not gzip")
    with pytest.raises(InstanceError, match="cannot read"):
        load_instance(bad)


@pytest.mark.parametrize(
    ("model", "objective", "chosen"),
    [
        # c0 (150 m) reaches d0 and d1 within 200 m: 12; c1 reaches d2: 11.
        ("mclp", 12.0, ["c0"]),
        # c1: 5×2000 + 7×1700 = 21900; c0: 5×150 + 7×150 + 11×1850 = 22150.
        ("pmedian", 21900.0, ["c1"]),
        # Every coverable point: c0 and c1 (c2 is excluded).
        ("lscp", 2, ["c0", "c1"]),
    ],
)
def test_solve_instance_output(model, objective, chosen):
    out = solve_instance(parse_instance(VALID), model)
    assert set(out) == {
        "model", "method", "objective", "chosen", "bound", "gap", "seconds", "seconds_to_best",
        "seconds_to_proof",
    }  # fmt: skip
    assert out["model"] == model
    # The heuristic's bound proves these tiny ones, or HiGHS does: both are an exact answer.
    assert out["method"] in ("exact", "heuristic")
    assert 0 <= out["seconds_to_best"] <= out["seconds_to_proof"] <= out["seconds"]
    assert out["objective"] == pytest.approx(objective, abs=1e-6)
    assert out["chosen"] == chosen
    assert out["bound"] == pytest.approx(objective, abs=1e-6)
    assert out["gap"] == 0
    json.dumps(out, allow_nan=False)


def test_solve_instance_needs_the_model_parameters():
    inst = parse_instance(_with("radius_m", ...))
    with pytest.raises(InstanceError, match="mclp needs 'radius_m'"):
        solve_instance(inst, "mclp")
    with pytest.raises(InstanceError, match="pmedian needs 'p'"):
        solve_instance(parse_instance(_with("p", ...)), "pmedian")
    with pytest.raises(InstanceError, match="unknown model"):
        solve_instance(inst, "kmeans")
