"""Reading, validating and solving siting instances (format: ``shared/siting/README.md``)."""

from __future__ import annotations

import gzip
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .data import DemandPoints, Facilities, Solution
from .geometry import TooManyPairs
from .lscp import solve_lscp
from .mclp import solve_mclp
from .pmedian import solve_pmedian

MODELS = ("mclp", "pmedian", "lscp")


class InstanceError(ValueError):
    """A malformed instance; the message is one line naming the problem and where it is."""


@dataclass(frozen=True)
class Instance:
    """A validated instance. ``radius_m``, ``p`` and ``target`` are None when absent."""

    demand: DemandPoints
    candidates: Facilities
    fixed: NDArray
    excluded: NDArray
    radius_m: float | None
    p: int | None
    target: float | None


MAX_INT_DIGITS = 30
"""Integers in a file have at most this many digits (ids included); a longer one is refused where
it stands. Python would otherwise fail on it with an OverflowError (10^400 as a float) or a
ValueError (beyond 4,300 digits) instead of a one-line message."""

MAX_TOTAL_WEIGHT = 1e15
"""The weights add up to at most this: sums of whole weights stay exact in floating point (up
to 2^53, about 9 × 10^15), and weight × distance stays finite for p-median."""


class _Huge:
    """An integer too long to use, kept so the check of its key can say where it is."""

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"an integer of {self.digits} digits"


def _parse_int(text: str) -> int | _Huge:
    digits = len(text.lstrip("-"))
    return _Huge(digits) if digits > MAX_INT_DIGITS else int(text)


def _reject_constant(name: str) -> Any:
    raise InstanceError(f"invalid JSON: {name} is not a JSON number")


def _read(path: Path) -> Any:
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        return json.loads(
            raw.decode("utf-8"), parse_int=_parse_int, parse_constant=_reject_constant
        )
    except FileNotFoundError:
        raise InstanceError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InstanceError(f"{path}: is a directory") from None
    except OSError as exc:  # includes gzip.BadGzipFile
        raise InstanceError(f"{path}: cannot read: {exc}") from None
    except (EOFError, UnicodeDecodeError) as exc:
        raise InstanceError(f"{path}: cannot decode: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InstanceError(
            f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise InstanceError("invalid JSON: arrays or objects nested too deeply") from None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(entry: dict, key: str, where: str) -> float:
    if key not in entry:
        raise InstanceError(f"{where}: missing key {key!r}")
    value = entry[key]
    if isinstance(value, _Huge):
        raise InstanceError(f"{where}: {key} is out of range: {value!r}")
    if not _is_number(value) or not math.isfinite(value):
        raise InstanceError(f"{where}: {key} must be a number, got {_short(value)}")
    return float(value)


def _short(value: Any) -> str:
    """``repr`` of a value for a message, cut short: the message stays one readable line."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _points(data: dict, key: str, weighted: bool) -> tuple[list, list[float], list[float], list]:
    if key not in data:
        raise InstanceError(f"missing key {key!r}")
    items = data[key]
    if not isinstance(items, list):
        raise InstanceError(f"{key} must be a list")
    ids, lats, lngs, extra = [], [], [], []
    seen: set = set()
    for i, entry in enumerate(items):
        where = f"{key}[{i}]"
        if not isinstance(entry, dict):
            raise InstanceError(f"{where}: must be an object")
        if "id" not in entry:
            raise InstanceError(f"{where}: missing key 'id'")
        ident = entry["id"]
        if not isinstance(ident, str | int) or isinstance(ident, bool):
            raise InstanceError(
                f"{where}: id must be a string or an integer of at most {MAX_INT_DIGITS} digits,"
                f" got {_short(ident)}"
            )
        if ident in seen:
            raise InstanceError(f"{where}: duplicate id {_short(ident)}")
        seen.add(ident)
        lat = _number(entry, "lat", where)
        lng = _number(entry, "lng", where)
        if not -90 <= lat <= 90:
            raise InstanceError(f"{where}: lat {lat} is out of range [-90, 90]")
        if not -180 <= lng <= 180:
            raise InstanceError(f"{where}: lng {lng} is out of range [-180, 180]")
        if weighted:
            weight = _number(entry, "weight", where)
            if weight < 0:
                raise InstanceError(f"{where}: weight must be non-negative, got {weight:g}")
            extra.append(weight)
        else:
            flags = []
            for flag in ("fixed", "excluded"):
                value = entry.get(flag, False)
                if not isinstance(value, bool):
                    raise InstanceError(
                        f"{where}: {flag} must be true or false, got {_short(value)}"
                    )
                flags.append(value)
            if all(flags):
                raise InstanceError(f"{where}: fixed and excluded at once")
            extra.append(flags)
        ids.append(ident)
        lats.append(lat)
        lngs.append(lng)
    return ids, lats, lngs, extra


def parse_instance(data: Any) -> Instance:
    """Validate an instance already parsed from JSON; raise :class:`InstanceError` if bad."""
    if not isinstance(data, dict):
        raise InstanceError("instance must be a JSON object")
    crs = data.get("crs", "EPSG:4326")
    if crs != "EPSG:4326":
        raise InstanceError(f"crs must be 'EPSG:4326', got {_short(crs)}")
    d_ids, d_lat, d_lng, weight = _points(data, "demand", weighted=True)
    c_ids, c_lat, c_lng, flags = _points(data, "candidates", weighted=False)
    flag_arr = np.array(flags, dtype=bool).reshape(len(c_ids), 2)
    fixed, excluded = flag_arr[:, 0], flag_arr[:, 1]

    total = math.fsum(weight)
    if total > MAX_TOTAL_WEIGHT:
        raise InstanceError(f"the weights add up to {total:.6g}, more than {MAX_TOTAL_WEIGHT:g}")

    for key in ("radius_m", "p", "target"):
        if isinstance(data.get(key), _Huge):
            raise InstanceError(f"{key} is out of range: {data[key]!r}")
    radius = data.get("radius_m")
    if radius is not None and not _positive(radius):
        raise InstanceError(f"radius_m must be a positive number, got {_short(radius)}")
    p = data.get("p")
    if p is not None:
        if not isinstance(p, int) or isinstance(p, bool) or p < 0:
            raise InstanceError(f"p must be a non-negative integer, got {_short(p)}")
        if p > len(c_ids):
            raise InstanceError(f"p = {p} is larger than the number of candidates ({len(c_ids)})")
        allowed = int((~excluded).sum())
        if p > allowed:
            raise InstanceError(f"p = {p} is larger than the {allowed} candidates not excluded")
        if p < fixed.sum():
            raise InstanceError(f"p = {p} is smaller than the {int(fixed.sum())} fixed candidates")
    target = data.get("target")
    if target is not None and (not _is_number(target) or not 0 < target <= 1):
        raise InstanceError(f"target must be a number in (0, 1], got {_short(target)}")

    return Instance(
        demand=DemandPoints(ids=d_ids, lat=d_lat, lng=d_lng, weight=weight),
        candidates=Facilities(ids=c_ids, lat=c_lat, lng=c_lng),
        fixed=fixed,
        excluded=excluded,
        radius_m=None if radius is None else float(radius),
        p=p,
        target=None if target is None else float(target),
    )


def _positive(value: Any) -> bool:
    """A finite positive number (an integer of any length is compared, never converted)."""
    if not _is_number(value):
        return False
    return value > 0 and (isinstance(value, int) or math.isfinite(value))


def load_instance(path: str | Path) -> Instance:
    """Read and validate an instance from ``.json`` or gzip-compressed ``.json.gz``."""
    return parse_instance(_read(Path(path)))


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def solve_instance(
    instance: Instance,
    model: str,
    method: str = "auto",
    time_limit: float | None = None,
    *,
    started: float | None = None,
) -> dict:
    """Solve ``instance`` with ``model`` and return the README's output object:
    ``{model, method, objective, chosen, bound, gap, seconds, seconds_to_best,
    seconds_to_proof}`` (``method`` as actually used; LSCP's objective and bound are numbers of
    sites; ``seconds_to_proof`` is null unless the gap is 0). ``seconds`` includes building the
    model; with ``started`` (a ``time.perf_counter()`` reading, e.g. from before the file was
    read) the time limit and the seconds count from then."""
    if model not in MODELS:
        raise InstanceError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}")
    if time_limit is not None and not (math.isfinite(time_limit) and time_limit > 0):
        raise InstanceError(f"the time limit must be a positive number of seconds: {time_limit}")
    start = time.perf_counter() if started is None else started
    before = time.perf_counter() - start  # spent before the solve (reading the file)
    common = {
        "fixed": instance.fixed,
        "excluded": instance.excluded,
        "method": method,
        "time_limit": None if time_limit is None else max(time_limit - before, 0.0),
    }
    if model in ("mclp", "lscp") and instance.radius_m is None:
        raise InstanceError(f"{model} needs 'radius_m'")
    if model in ("mclp", "pmedian") and instance.p is None:
        raise InstanceError(f"{model} needs 'p'")
    if model == "pmedian" and instance.p == 0 and len(instance.demand):
        raise InstanceError("pmedian needs p >= 1")
    sol: Solution
    try:
        if model == "mclp":
            sol = solve_mclp(
                instance.demand, instance.candidates, p=instance.p, radius_m=instance.radius_m,
                **common,
            )  # fmt: skip
        elif model == "pmedian":
            sol = solve_pmedian(instance.demand, instance.candidates, p=instance.p, **common)
        else:
            target = 1.0 if instance.target is None else instance.target
            sol = solve_lscp(
                instance.demand, instance.candidates, radius_m=instance.radius_m, target=target,
                **common,
            )  # fmt: skip
    except TooManyPairs as exc:
        raise InstanceError(str(exc)) from None
    is_count = model == "lscp"

    def since_start(at: float | None) -> float | None:
        return None if at is None else round(before + at, 4)

    return {
        "model": model,
        "method": sol.method,
        "objective": int(sol.objective) if is_count else float(sol.objective),
        "chosen": [instance.candidates.ids[j] for j in sol.chosen],
        "bound": int(sol.bound) if is_count else _finite_or_none(sol.bound),
        "gap": _finite_or_none(sol.gap),
        "seconds": round(time.perf_counter() - start, 4),
        "seconds_to_best": since_start(sol.seconds_to_best),
        "seconds_to_proof": since_start(sol.seconds_to_proof),
    }
