"""Plain containers passed into and out of the siting core (arrays in, arrays out)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray


def _floats(a: ArrayLike, n: int | None = None, name: str = "array") -> NDArray:
    out = np.asarray(a, dtype=float).ravel()
    if n is not None and out.size != n:
        raise ValueError(f"{name} has {out.size} values, expected {n}")
    return out


@dataclass(frozen=True)
class DemandPoints:
    """Demand points: where people are and how many.

    ``groups`` maps a group name (``"elderly"``, ``"children"``, ...) to a weight per point, so that
    coverage can be reported per group as well as overall.
    """

    ids: Sequence[Any]
    lat: NDArray
    lng: NDArray
    weight: NDArray
    groups: Mapping[str, NDArray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        lat = _floats(self.lat, name="lat")
        n = lat.size
        object.__setattr__(self, "lat", lat)
        object.__setattr__(self, "lng", _floats(self.lng, n, "lng"))
        object.__setattr__(self, "weight", _floats(self.weight, n, "weight"))
        object.__setattr__(
            self, "groups", {k: _floats(v, n, f"group {k!r}") for k, v in self.groups.items()}
        )
        if len(self.ids) != n:
            raise ValueError(f"ids has {len(self.ids)} values, expected {n}")

    def __len__(self) -> int:
        return self.lat.size

    @classmethod
    def from_arrays(
        cls,
        lat: ArrayLike,
        lng: ArrayLike,
        weight: ArrayLike | None = None,
        ids: Sequence[Any] | None = None,
        groups: Mapping[str, ArrayLike] | None = None,
    ) -> DemandPoints:
        """Build from arrays; ``weight`` defaults to 1 and ``ids`` to ``0..n-1``."""
        lat = _floats(lat)
        n = lat.size
        return cls(
            ids=list(range(n)) if ids is None else list(ids),
            lat=lat,
            lng=_floats(lng),
            weight=np.ones(n) if weight is None else _floats(weight),
            groups=dict(groups or {}),
        )


@dataclass(frozen=True)
class Facilities:
    """Facilities or candidate sites. ``capacity`` is per day, NaN where unknown."""

    ids: Sequence[Any]
    lat: NDArray
    lng: NDArray
    capacity: NDArray | None = None

    def __post_init__(self) -> None:
        lat = _floats(self.lat, name="lat")
        n = lat.size
        object.__setattr__(self, "lat", lat)
        object.__setattr__(self, "lng", _floats(self.lng, n, "lng"))
        cap = np.full(n, np.nan) if self.capacity is None else _floats(self.capacity, n, "capacity")
        object.__setattr__(self, "capacity", cap)
        if len(self.ids) != n:
            raise ValueError(f"ids has {len(self.ids)} values, expected {n}")

    def __len__(self) -> int:
        return self.lat.size

    @classmethod
    def from_arrays(
        cls,
        lat: ArrayLike,
        lng: ArrayLike,
        ids: Sequence[Any] | None = None,
        capacity: ArrayLike | None = None,
    ) -> Facilities:
        """Build from arrays; ``ids`` default to ``0..m-1``."""
        lat = _floats(lat)
        return cls(
            ids=list(range(lat.size)) if ids is None else list(ids),
            lat=lat,
            lng=_floats(lng),
            capacity=None if capacity is None else _floats(capacity),
        )

    def subset(self, index: ArrayLike) -> Facilities:
        """The facilities at the given positions, in that order."""
        index = np.asarray(index, dtype=np.int64).ravel()
        return Facilities(
            ids=[self.ids[i] for i in index],
            lat=self.lat[index],
            lng=self.lng[index],
            capacity=self.capacity[index],
        )


@dataclass(frozen=True)
class Solution:
    """The answer of a siting solver.

    ``chosen`` holds candidate positions (sorted). ``method`` is ``"exact"`` when the exact
    procedure ran — ``status`` is then ``"optimal"``, or ``"time_limit"`` when the limit stopped
    it and the answer is the best found (the heuristic's when HiGHS had nothing better) — and
    ``"heuristic"`` when only the heuristic ran (``status == "heuristic"``), which includes
    ``method="auto"`` when the heuristic closed the gap itself and ``method="exact"`` when the
    model did not fit HiGHS's memory budget. When nothing is left to decide (everything fixed,
    nothing in reach, ...) the status is ``"optimal"`` either way.

    ``bound`` is the best proven bound on the optimum (an upper bound when maximising, a lower
    bound when minimising) and ``bound_kind`` says where it comes from: ``"mip"`` (HiGHS dual
    bound; equal to the objective when proven optimal), ``"lp"`` (LP relaxation),
    ``"lagrangian"`` (a Lagrangian relaxation, with its reduction tests), ``"enumeration"`` (the
    last few combinations tried one by one) or ``"simple"`` (exact by construction, or a cheap
    counting bound). ``gap = |bound - objective| / max(|bound|, |objective|)``, in [0, 1], and 0
    when both are 0. ``seconds_to_best`` and ``seconds_to_proof`` count from the start of the
    solve, like ``seconds``; the latter is None unless the gap is 0.
    """

    model: str
    method: str
    objective: float
    chosen: NDArray
    bound: float
    gap: float
    seconds: float
    bound_kind: str
    status: str  # "optimal", "time_limit" or "heuristic"
    seconds_to_best: float | None = None  # when the answer returned was found
    seconds_to_proof: float | None = None  # when it was proven optimal (None: not proven)

    @property
    def optimal(self) -> bool:
        return self.gap == 0.0


def relative_gap(objective: float, bound: float) -> float:
    """``|bound - objective| / max(|bound|, |objective|)``; 0 when both are 0."""
    scale = max(abs(objective), abs(bound))
    if scale == 0 or not math.isfinite(scale):
        return 0.0 if scale == 0 else math.inf
    return abs(bound - objective) / scale


def as_mask(selection: ArrayLike | None, size: int, name: str) -> NDArray:
    """A boolean mask of ``size`` from ``None``, a boolean mask, or a sequence of positions."""
    if selection is None:
        return np.zeros(size, dtype=bool)
    arr = np.asarray(selection)
    if arr.dtype == bool:
        if arr.shape != (size,):
            raise ValueError(f"{name} mask has shape {arr.shape}, expected ({size},)")
        return arr.copy()
    idx = arr.astype(np.int64).ravel()
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        raise ValueError(f"{name} positions must be in 0..{size - 1}")
    mask = np.zeros(size, dtype=bool)
    mask[idx] = True
    return mask


def fixed_and_excluded(
    m: int, fixed: ArrayLike | None, excluded: ArrayLike | None, p: int | None = None
) -> tuple[NDArray, NDArray]:
    """Validate fixed/excluded selections (and ``p`` when given); return the two masks."""
    fixed_mask = as_mask(fixed, m, "fixed")
    excluded_mask = as_mask(excluded, m, "excluded")
    if (fixed_mask & excluded_mask).any():
        first = int(np.flatnonzero(fixed_mask & excluded_mask)[0])
        raise ValueError(f"candidate {first} is both fixed and excluded")
    if p is not None:
        if int(p) != p or p < 0:
            raise ValueError(f"p must be a non-negative integer, got {p!r}")
        allowed = int((~excluded_mask).sum())
        if p > allowed:
            raise ValueError(f"p = {p} exceeds the {allowed} candidates that may be chosen")
        if p < fixed_mask.sum():
            raise ValueError(f"p = {p} is smaller than the {int(fixed_mask.sum())} fixed sites")
    return fixed_mask, excluded_mask
