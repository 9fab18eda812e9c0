"""What changes between two versions of a walking network: its segments as lines to store, and
how much of the old network the new one keeps."""

from __future__ import annotations

import hashlib
import json
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from .network import VERTEX_PRECISION_DEG, WalkingNetwork

_SCALE = round(1 / VERTEX_PRECISION_DEG)


class NetworkChange(NamedTuple):
    """An old network against a new one (the old figures are 0 where there was none)."""

    old_segments: int
    old_length_m: float
    new_segments: int
    new_length_m: float
    kept_length_m: float  # length of the old segments the new network still has

    @property
    def kept_share(self) -> float | None:
        """Share of the old network's length still present in the new one; None without one."""
        return self.kept_length_m / self.old_length_m if self.old_length_m > 0 else None


def segment_lines(network: WalkingNetwork) -> list[list[list[float]]]:
    """One ``[[lng, lat], [lng, lat]]`` line per segment: building a network from these lines
    gives back the same nodes and segments (its vertices are already merged and rounded)."""
    u, v = network.edge_u, network.edge_v
    coords = np.stack(
        [
            np.stack([network.lng[u], network.lat[u]], axis=1),
            np.stack([network.lng[v], network.lat[v]], axis=1),
        ],
        axis=1,
    )
    return coords.tolist()


def lines_digest(lines: list) -> str:
    """SHA-256 of lines in a canonical JSON form: equal lines, equal digest."""
    text = json.dumps(lines, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def network_from_stored(lines: list) -> WalkingNetwork:
    """The network of lines stored by :func:`segment_lines` (or any lines of vertices)."""
    try:
        array = np.asarray(lines, dtype=float)
    except ValueError:  # lines of different lengths: built one by one
        return WalkingNetwork.from_lines(lines)
    if array.ndim == 3:
        return WalkingNetwork.from_lines(array)  # one array per line: no Python per vertex
    return WalkingNetwork.from_lines(lines)


def _segment_keys(network: WalkingNetwork) -> NDArray:
    """Each segment as the pair of its ends' rounded coordinates (u before v), one row each."""
    lng = np.round(network.lng * _SCALE).astype(np.int64)
    lat = np.round(network.lat * _SCALE).astype(np.int64)
    u, v = network.edge_u, network.edge_v
    return np.stack([lng[u], lat[u], lng[v], lat[v]], axis=1)


def compare(old: WalkingNetwork | None, new: WalkingNetwork) -> NetworkChange:
    """Segments and length of both networks and the old length the new one keeps: a segment is
    kept where the new network joins the same two places (to about a centimetre)."""
    if old is None:
        return NetworkChange(0, 0.0, new.edge_count, new.length_m, 0.0)
    old_keys, new_keys = _segment_keys(old), _segment_keys(new)
    # Nodes are numbered in order of their coordinates, so the same two places give the same
    # (u, v) order in both networks.
    _, inverse = np.unique(np.concatenate([old_keys, new_keys]), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    kept = np.isin(inverse[: len(old_keys)], inverse[len(old_keys) :])
    return NetworkChange(
        old.edge_count,
        old.length_m,
        new.edge_count,
        new.length_m,
        float(old.edge_m[kept].sum()),
    )
