"""Walking distances as one shape: a sparse points × sites matrix of walking metres.

Every measure of reach in the app (coverage, the gap check, the solvers' inputs, the reviews'
"who loses it", the residents' nearest services) reads its distances from such a matrix, however
they were measured: on the street network (:func:`siting.network.pairs_within`) or, where none is
loaded, as the straight line × the detour factor (:func:`straight_line_walks`). A stored entry is
a pair within the limit it was measured to; a stored value may be exactly 0 (a site on a demand
point), so reach is read from the pattern, never from ``data > 0``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import csr_array

from .constants import DETOUR_FACTOR
from .geometry import neighbours_within


def walk_matrix(
    point: ArrayLike, site: ArrayLike, metres: ArrayLike, n_points: int, n_sites: int
) -> csr_array:
    """The CSR matrix of pairs (point index, site index, walking metres), zeros kept."""
    point = np.asarray(point, dtype=np.int64)
    site = np.asarray(site, dtype=np.int64)
    metres = np.asarray(metres, dtype=float)
    order = np.lexsort((site, point))
    indptr = np.zeros(n_points + 1, dtype=np.int64)
    np.cumsum(np.bincount(point, minlength=n_points), out=indptr[1:])
    return csr_array(
        (metres[order], site[order].astype(np.int32), indptr), shape=(n_points, n_sites)
    )


def straight_line_walks(
    point_lat: ArrayLike,
    point_lng: ArrayLike,
    site_lat: ArrayLike,
    site_lng: ArrayLike,
    max_m: float,
    *,
    detour: float = DETOUR_FACTOR,
) -> csr_array:
    """Walking metres estimated as the straight line × ``detour``, for pairs within ``max_m``."""
    if not detour > 0:
        raise ValueError("the detour factor must be positive")
    # A hair wider than max_m / detour, then the exact test on the walk itself, so that
    # rounding in the division can neither drop nor add a pair.
    straight = neighbours_within(
        point_lat, point_lng, site_lat, site_lng, max_m / detour * (1 + 1e-9)
    )
    walks = csr_array(
        (straight.data * detour, straight.indices, straight.indptr), shape=straight.shape
    )
    return within(walks, max_m)


def within(walks: csr_array, max_m: float) -> csr_array:
    """The pairs at most ``max_m`` walking metres apart (zeros kept)."""
    coo = walks.tocoo()
    keep = coo.data <= max_m
    n, m = walks.shape
    return walk_matrix(coo.row[keep], coo.col[keep], coo.data[keep], n, m)


def columns(walks: csr_array, sites: ArrayLike) -> csr_array:
    """The matrix restricted to some sites, in the given order (zeros kept)."""
    sites = np.asarray(sites, dtype=np.int64)
    n, m = walks.shape
    position = np.full(m, -1, dtype=np.int64)
    position[sites] = np.arange(sites.size)
    coo = walks.tocoo()
    new_col = position[coo.col]
    keep = new_col >= 0
    return walk_matrix(coo.row[keep], new_col[keep], coo.data[keep], n, sites.size)


def nearest(walks: csr_array, k: int = 1) -> tuple[NDArray, NDArray]:
    """The ``k`` nearest sites of each point and their walking metres, nearest first.

    Ties go to the lower site index. Where a point has fewer than ``k`` sites within the
    matrix's limit, the missing entries are -1 and ``inf``.
    """
    n = walks.shape[0]
    index = np.full((n, k), -1, dtype=np.int64)
    metres = np.full((n, k), np.inf)
    coo = walks.tocoo()
    if coo.nnz == 0 or k <= 0:
        return index, metres
    order = np.lexsort((coo.col, coo.data, coo.row))
    row, col, data = coo.row[order], coo.col[order], coo.data[order]
    starts = np.searchsorted(row, np.arange(n))
    rank = np.arange(row.size) - starts[row]
    keep = rank < k
    index[row[keep], rank[keep]] = col[keep]
    metres[row[keep], rank[keep]] = data[keep]
    return index, metres
