import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siting import (
    DETOUR_FACTOR,
    LocalProjection,
    haversine_m,
    nearest_k,
    neighbours_within,
    walking_m,
)
from tests.siting.support import METRES_PER_DEGREE, R, hav, north_of


def test_haversine_closed_forms():
    # Along a meridian the distance is R × Δφ; along the equator R × Δλ; antipodes πR.
    assert haversine_m(31.0, 121.0, 32.0, 121.0) == pytest.approx(METRES_PER_DEGREE, rel=1e-12)
    assert haversine_m(0.0, 10.0, 0.0, 11.0) == pytest.approx(METRES_PER_DEGREE, rel=1e-12)
    assert haversine_m(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * R, rel=1e-12)
    assert haversine_m(31.2, 121.45, 31.2, 121.45) == 0.0
    # Along a parallel at latitude φ: 2R asin(cos φ sin(Δλ/2)).
    phi = math.radians(31.2)
    expected = 2 * R * math.asin(math.cos(phi) * math.sin(math.radians(0.01) / 2))
    assert haversine_m(31.2, 121.45, 31.2, 121.46) == pytest.approx(expected, rel=1e-12)


def test_haversine_broadcasts_and_is_symmetric():
    lat = np.array([31.18, 31.19, 31.2])
    lng = np.array([121.44, 121.45, 121.46])
    d = haversine_m(lat[:, None], lng[:, None], lat[None, :], lng[None, :])
    assert d.shape == (3, 3)
    np.testing.assert_allclose(d, d.T)
    np.testing.assert_array_equal(np.diag(d), 0.0)


def _points(seed, n, spread=0.02):
    rng = np.random.default_rng(seed)
    return 31.18 + rng.random(n) * spread, 121.44 + rng.random(n) * spread


def test_neighbours_within_matches_dense_haversine():
    dlat, dlng = _points(1, 400)
    slat, slng = _points(2, 60)
    dist = hav(dlat[:, None], dlng[:, None], slat[None, :], slng[None, :])
    got = neighbours_within(dlat, dlng, slat, slng, 500.0)
    assert got.shape == (400, 60)
    rows, cols = got.nonzero()  # no zero distances in this random case
    assert got.nnz == int((dist <= 500).sum())
    np.testing.assert_array_equal(np.sort(rows * 60 + cols), np.flatnonzero(dist <= 500))
    np.testing.assert_allclose(got.toarray()[dist <= 500], dist[dist <= 500], rtol=1e-12)


def test_neighbours_within_decides_with_the_exact_distance_at_the_radius():
    dlat, dlng = _points(3, 50)
    slat, slng = _points(4, 20)
    d = haversine_m(dlat[7], dlng[7], slat[11], slng[11])
    got = neighbours_within(dlat, dlng, slat, slng, float(d))
    assert (7, 11) in set(zip(*got.nonzero(), strict=True))  # exactly at the radius: in
    got = neighbours_within(dlat, dlng, slat, slng, float(np.nextafter(d, 0)))
    assert (7, 11) not in set(zip(*got.nonzero(), strict=True))


def test_neighbours_within_keeps_coincident_points_as_stored_zeros():
    got = neighbours_within([31.2, 31.21], [121.45, 121.45], [31.2], [121.45], 100.0)
    assert got.nnz == 1
    assert got.indptr.tolist() == [0, 1, 1]
    assert got.data.tolist() == [0.0]


def test_neighbours_within_empty_inputs():
    assert neighbours_within([], [], [31.2], [121.4], 100).shape == (0, 1)
    got = neighbours_within([31.2], [121.4], [], [], 100)
    assert got.shape == (1, 0)
    assert got.nnz == 0


def test_nearest_k_matches_sorting_all_distances():
    dlat, dlng = _points(5, 300)
    slat, slng = _points(6, 40)
    dist = hav(dlat[:, None], dlng[:, None], slat[None, :], slng[None, :])
    idx, d = nearest_k(dlat, dlng, slat, slng, 5)
    order = np.argsort(dist, axis=1, kind="stable")[:, :5]
    np.testing.assert_array_equal(idx, order)
    np.testing.assert_allclose(d, np.take_along_axis(dist, order, axis=1), rtol=1e-12)


def test_nearest_k_breaks_ties_by_site_index():
    # Each place holds several sites, listed out of order: equally near sites come by index.
    slat, slng = _points(9, 10)
    place = np.random.default_rng(3).integers(0, 10, 40)
    dlat, dlng = _points(10, 50)
    idx, d = nearest_k(dlat, dlng, slat[place], slng[place], 12)
    dist = hav(dlat[:, None], dlng[:, None], slat[place][None, :], slng[place][None, :])
    np.testing.assert_array_equal(idx, np.argsort(dist, axis=1, kind="stable")[:, :12])


def test_nearest_k_per_row_and_capped():
    dlat, dlng = _points(7, 5)
    slat, slng = _points(8, 3)
    idx, d = nearest_k(dlat, dlng, slat, slng, [0, 1, 2, 3, 9])
    assert idx.shape == (5, 3)
    assert ((idx >= 0).sum(axis=1)).tolist() == [0, 1, 2, 3, 3]
    assert np.isinf(d[0]).all()


def test_nearest_k_over_a_wide_area():
    # A region of several hundred km: the projection's distortion must not lose the nearest.
    rng = np.random.default_rng(9)
    dlat, dlng = 20 + rng.random(300) * 20, 100 + rng.random(300) * 20
    slat, slng = 20 + rng.random(50) * 20, 100 + rng.random(50) * 20
    dist = hav(dlat[:, None], dlng[:, None], slat[None, :], slng[None, :])
    idx, _ = nearest_k(dlat, dlng, slat, slng, 3)
    np.testing.assert_array_equal(idx, np.argsort(dist, axis=1, kind="stable")[:, :3])


coords = st.tuples(
    st.floats(31.15, 31.25, allow_nan=False), st.floats(121.4, 121.5, allow_nan=False)
)


@settings(max_examples=200, deadline=None)
@given(a=coords, b=coords, c=coords)
def test_projection_distortion_is_bounded(a, b, c):
    # The projection is built around the points it is used for; c widens the band.
    lat = np.array([a[0], b[0], c[0]])
    lng = np.array([a[1], b[1], c[1]])
    proj = LocalProjection.around(lat, lng)
    xy = proj.to_xy(lat, lng)
    projected = float(np.hypot(*(xy[0] - xy[1])))
    true = float(hav(a[0], a[1], b[0], b[1]))
    assert projected <= proj.query_radius(true)
    assert float(proj.true_lower_bound(np.array(projected))) <= true + 1e-9


def test_north_of_helper_is_exact_enough():
    assert haversine_m(31.2, 121.45, north_of(31.2, 400.0), 121.45) == pytest.approx(400, abs=1e-6)


def test_cells_bound_what_their_centres_misstate():
    from siting.geometry import aggregate_cells, haversine_m

    rng = np.random.default_rng(4)
    lat = 31.2 + rng.normal(0, 0.01, 500)
    lng = 121.45 + rng.normal(0, 0.01, 500)
    w = rng.integers(1, 20, 500).astype(float)
    slat, slng = 31.2 + rng.normal(0, 0.02, 40), 121.45 + rng.normal(0, 0.02, 40)
    cells = aggregate_cells(lat, lng, w, 300.0)
    assert 1 < len(cells) < 500
    assert cells.weight.sum() == pytest.approx(w.sum())
    d_point = haversine_m(lat[:, None], lng[:, None], slat, slng)
    d_centre = haversine_m(cells.lat[:, None], cells.lng[:, None], slat, slng)
    # Each point's distance to any site is within its cell's reach of the centre's ...
    assert (np.abs(d_point - d_centre[cells.index]) <= cells.reach[cells.index, None]).all()
    # ... and a cell's total is never below its weight at the centre, less the tiny slack.
    total = np.zeros((len(cells), 40))
    np.add.at(total, cells.index, w[:, None] * d_point)
    assert (total >= cells.weight[:, None] * d_centre - cells.jensen[:, None]).all()
    assert (cells.spread <= cells.weight * cells.reach * (1 + 1e-12)).all()


def test_split_cells_quarters_only_the_chosen_ones():
    from siting.geometry import aggregate_cells, split_cells

    rng = np.random.default_rng(9)
    lat = 31.2 + rng.normal(0, 0.01, 400)
    lng = 121.45 + rng.normal(0, 0.01, 400)
    w = rng.integers(1, 9, 400).astype(float)
    cells = aggregate_cells(lat, lng, w, 800.0)
    which = np.zeros(len(cells), dtype=bool)
    which[::2] = True
    split, parent = split_cells(lat, lng, w, cells, which)
    assert split.weight.sum() == pytest.approx(w.sum())
    # Every new cell holds points of its parent only, and untouched cells keep all theirs.
    assert (parent[split.index] == cells.index).all()
    children = np.bincount(parent, minlength=len(cells))
    assert (children[~which] == 1).all()
    assert (children[which] <= 4).all() and children[which].max() > 1


def test_cells_only_for_one_region():
    from siting.geometry import cells_fit

    assert cells_fit([31.0, 31.3], [121.2, 121.6])  # a city
    assert not cells_fit([31.0, 39.9], [121.4, 116.4])  # Shanghai and Beijing: too far apart


def _around(seed, n, lat0, lng0, spread_m):
    """Random points within about ``spread_m`` of (lat0, lng0), longitudes wrapped into
    [-180, 180] (near a pole the offsets sweep through every longitude)."""
    rng = np.random.default_rng(seed)
    east, north = rng.uniform(-spread_m, spread_m, (2, n))
    lat = np.clip(lat0 + north / METRES_PER_DEGREE, -90, 90)
    cos = max(math.cos(math.radians(lat0)), 1e-3)
    lng = (lng0 + east / (METRES_PER_DEGREE * cos) + 180) % 360 - 180
    return lat, lng


PLACES = {
    "antimeridian": (10.0, 180.0, 3000.0),  # Fiji's meridian: lng 179.99 beside -179.99
    "north pole": (89.9, 0.0, 15000.0),  # within 11 km of the pole: every longitude
    "south pole": (-89.7, 45.0, 30000.0),
    "near the pole": (89.55, 120.0, 20000.0),  # half a degree off: what the projection missed
}


@pytest.mark.parametrize("place", PLACES)
def test_neighbours_and_nearest_anywhere_on_the_globe(place):
    lat0, lng0, spread = PLACES[place]
    dlat, dlng = _around(1, 300, lat0, lng0, spread)
    slat, slng = _around(2, 40, lat0, lng0, spread)
    dist = hav(dlat[:, None], dlng[:, None], slat[None, :], slng[None, :])
    radius = float(np.quantile(dist, 0.1))
    got = neighbours_within(dlat, dlng, slat, slng, radius)
    rows, cols = got.nonzero()
    np.testing.assert_array_equal(np.sort(rows * 40 + cols), np.flatnonzero(dist <= radius))
    idx, near = nearest_k(dlat, dlng, slat, slng, 3)
    np.testing.assert_array_equal(idx, np.argsort(dist, axis=1, kind="stable")[:, :3])
    np.testing.assert_allclose(near, np.sort(dist, axis=1)[:, :3], rtol=1e-12)


@pytest.mark.parametrize(
    ("lat", "lng_d", "lng_s"),
    [
        (10.0, 179.9999, -179.9999),  # across the antimeridian, 22 m apart
        (89.9999, 0.0, 180.0),  # across the north pole, 22 m apart
        (-89.9999, -90.0, 90.0),  # across the south pole
    ],
)
def test_a_site_22_m_away_covers_its_neighbour_there(lat, lng_d, lng_s):
    """MCLP and p-median on points a few metres apart but with longitudes far apart: the
    answers are the true ones, not 0 with a claimed gap of 0."""
    from siting import DemandPoints, Facilities, solve_mclp, solve_pmedian

    demand = DemandPoints.from_arrays([lat, 0.0], [lng_d, 0.0], [10.0, 1.0])
    sites = Facilities.from_arrays([lat, 0.0], [lng_s, 60.0])  # the other is far away
    gap_m = float(hav(lat, lng_d, lat, lng_s))
    assert gap_m < 25
    for method in ("exact", "heuristic", "auto"):
        sol = solve_mclp(demand, sites, p=1, radius_m=100.0, method=method)
        assert sol.objective == 10.0 and sol.chosen.tolist() == [0]
        pm = solve_pmedian(demand, sites, p=1, method=method)
        assert pm.chosen.tolist() == [0]
        assert pm.objective == pytest.approx(10 * gap_m + float(hav(0.0, 0.0, lat, lng_s)))


def test_cells_fit_is_measured_on_the_sphere():
    from siting.geometry import cells_fit

    assert cells_fit([10.0, 10.1], [179.95, -179.95])  # 11 km across the antimeridian
    assert cells_fit([89.95, 89.95], [0.0, 180.0])  # 11 km across the pole
    # Along the equator from -179 to 179 the long way round: the box corners lie 2° apart.
    assert not cells_fit(np.zeros(7), np.linspace(-179.0, 179.0, 7))


def test_walking_distance_is_the_straight_line_times_the_detour_factor():
    # 500 m due north: 650 m on foot at the default factor, as the planning pages assume.
    assert DETOUR_FACTOR == 1.3
    north = north_of(31.2, 500)
    assert walking_m(31.2, 121.45, north, 121.45) == pytest.approx(650, rel=1e-9)
    assert walking_m(31.2, 121.45, north, 121.45, detour=1.0) == pytest.approx(500, rel=1e-9)


def test_walking_distance_broadcasts_like_the_straight_line():
    lat, lng = _points(7, 5)
    walk = walking_m(lat[:, None], lng[:, None], lat[None, :], lng[None, :], detour=1.7)
    straight = haversine_m(lat[:, None], lng[:, None], lat[None, :], lng[None, :])
    assert walk.shape == (5, 5)
    np.testing.assert_array_equal(walk, straight * 1.7)
