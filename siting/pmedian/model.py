"""The exact MILP: a restricted model on nearest-k lists, grown until it proves the optimum.

A full model has a variable per demand × candidate. Instead each demand point ``i`` gets
assignment variables only for its ``k_i`` nearest candidates (exact haversine order; initially
``k = max(8, 4·m/p)``), cut after the first fixed site in that list (a fixed site is always open,
so nothing farther is ever used). If the list is not cut and candidates remain beyond it, ``i``
also gets a *fallback* variable priced at its (k_i+1)-th nearest distance: every candidate
outside the list is at least that far, so the restricted model is a relaxation of the full one
and its optimum, and HiGHS's dual bound, are valid lower bounds for the full problem. Chosen
sites are always evaluated with exact distances; when that equals the restricted optimum they are
optimal for the full problem, otherwise ``k_i`` is doubled for every point that used its
fallback and the model is solved again (at worst the lists reach every candidate).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_array, csr_array

from .. import milp
from .problem import _Lists, _Problem


def _model(prob: _Problem, lists: _Lists):
    """MILP data: variables [y (sites), x (list entries), f (fallbacks)], minimising cost."""
    n, m, e = prob.n, prob.m, lists.row.size
    fb_rows = np.flatnonzero(np.isfinite(lists.fallback))
    nf = fb_rows.size
    nvar = m + e + nf
    c = np.concatenate(
        [np.zeros(m), prob.w[lists.row] * lists.dist, prob.w[fb_rows] * lists.fallback[fb_rows]]
    )
    x_cols = m + np.arange(e)
    f_cols = m + e + np.arange(nf)
    # Assignment rows: each point is served once (by a list entry or its fallback).
    r_assign = np.concatenate([lists.row, fb_rows])
    c_assign = np.concatenate([x_cols, f_cols])
    # Linking rows x_e <= y_j, not needed where j is fixed (always open).
    link = np.flatnonzero(~prob.fixed[lists.site])
    r_link = n + np.arange(link.size)
    rows = np.concatenate([r_assign, r_link, r_link, np.full(m, n + link.size)])
    cols = np.concatenate([c_assign, x_cols[link], lists.site[link], np.arange(m)])
    vals = np.concatenate(
        [np.ones(r_assign.size), np.ones(link.size), -np.ones(link.size), np.ones(m)]
    )
    nrows = n + link.size + 1
    a = csr_array(coo_array((vals, (rows, cols)), shape=(nrows, nvar)))
    row_lb = np.concatenate([np.ones(n), np.full(link.size, -np.inf), [prob.p]])
    row_ub = np.concatenate([np.ones(n), np.zeros(link.size), [prob.p]])
    lb = np.zeros(nvar)
    lb[:m] = prob.fixed.astype(float)
    ub = np.ones(nvar)
    integer = np.concatenate([np.ones(m), np.zeros(e + nf)])
    return c, a, row_lb, row_ub, lb, ub, integer


def _without(lists: _Lists, dropped: NDArray, site_ids: NDArray, m: int) -> _Lists:
    """``lists`` minus the dropped (point, site) pairs; each point keeps at least its nearest."""
    codes = lists.row * m + site_ids[lists.site]
    keep = ~np.isin(codes, dropped, assume_unique=False)
    n = lists.fallback.size
    left = np.bincount(lists.row[keep], minlength=n) > 0
    first = np.zeros(lists.row.size, dtype=bool)
    first[np.searchsorted(lists.row, np.arange(n))[np.bincount(lists.row, minlength=n) > 0]] = True
    keep |= first & ~left[lists.row]
    return _Lists(lists.row[keep], lists.site[keep], lists.dist[keep], lists.fallback)


def _mip_loop(
    prob: _Problem,
    k_rows: NDArray,
    clock: milp.Clock,
    dropped: tuple[NDArray, NDArray, int] | None = None,
):
    """Solve restricted models, growing lists where the fallback was used, until proven.

    ``dropped = (codes, site_ids, m)`` lists assignments to leave out, coded as
    ``point * m + site_ids[site]``. Returns ``(chosen or None, cost, bound, status)``; status
    "memory" when a model does not fit the memory budget.
    """
    while True:
        lists = _Lists.build(prob, k_rows)
        if dropped is not None and dropped[0].size:
            lists = _without(lists, *dropped)
        out = milp.solve(*_model(prob, lists), time_limit=clock.remaining())
        if out.unavailable:  # the model does not fit the memory budget (or HiGHS failed)
            return None, math.inf, -math.inf, "memory"
        if out.x is None:  # timed out without an incumbent
            return None, math.inf, out.bound, "time_limit"
        chosen = np.flatnonzero(out.x[: prob.m] > 0.5)
        cost = prob.cost(chosen)
        if not out.optimal:
            return chosen, cost, out.bound, "time_limit"
        if cost <= out.objective + 1e-9 * max(abs(out.objective), 1.0):
            return chosen, cost, out.bound, "optimal"
        f = out.x[prob.m + lists.row.size :]
        fb_rows = np.flatnonzero(np.isfinite(lists.fallback))
        grow = fb_rows[f > 1e-6]
        grow = grow[k_rows[grow] < prob.m]
        if grow.size == 0 or clock.expired():
            # Cannot happen in exact arithmetic; stop with the valid bound rather than loop.
            return chosen, cost, out.bound, "time_limit" if clock.expired() else "optimal"
        k_rows[grow] = np.minimum(k_rows[grow] * 2, prob.m)
