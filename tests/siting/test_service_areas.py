"""Network service areas: the streets a walk reaches, not a circle.

Places are written as (lat, lng); distances along a meridian are R × Δφ
(:func:`tests.siting.support.north_of`), so "300 m up the street" is exact.
"""

import numpy as np
import pytest
import shapely

from siting.network import WalkingNetwork
from siting.service_areas import SIMPLIFY_M, STREET_WIDTH_M, service_areas, straight_line_areas
from tests.siting.support import hav, north_of

LAT, LNG = 31.19, 121.45
EAST_BANK = 121.45105  # a street about 100 m east, across a river


def _line(*places):
    return [(lng, lat) for lat, lng in places]


def _inside(area, lat, lng) -> bool:
    return area.contains(shapely.Point(lng, lat))


def _up(metres, lng=LNG):
    return north_of(LAT, metres), lng


@pytest.fixture
def river():
    """Two streets on either bank of a river, joined by one bridge 445 m north."""
    bridge = north_of(LAT, 445)
    return WalkingNetwork.from_lines(
        [
            _line((LAT, LNG), (bridge, LNG)),
            _line((LAT, EAST_BANK), (bridge, EAST_BANK)),
            _line((bridge, LNG), (bridge, EAST_BANK)),
        ]
    )


def test_five_minutes_reach_350_m_along_the_street_not_across_the_river(river):
    (area,) = service_areas(river, LAT, LNG, [350])
    assert _inside(area, *_up(300))
    assert not _inside(area, *_up(350 + STREET_WIDTH_M + 20))
    # The east bank lies 100 m away in a straight line, but the walk goes round by the bridge.
    assert hav(LAT, LNG, LAT, EAST_BANK) == pytest.approx(100, abs=1)
    assert not _inside(area, LAT, EAST_BANK)
    # Far enough to cross the bridge: 445 + 100 + 50 m down the east bank.
    (wider,) = service_areas(river, LAT, LNG, [445 + 100 + 50 + 20])
    assert _inside(wider, *_up(445 - 50, EAST_BANK))
    assert not _inside(wider, *_up(445 - 150, EAST_BANK))


def test_a_segment_half_reached_is_drawn_half_way():
    # One short segment, then a long one: the walk ends inside the long one.
    network = WalkingNetwork.from_lines([_line((LAT, LNG), _up(100)), _line(_up(100), _up(1000))])
    (area,) = service_areas(network, LAT, LNG, [350])
    assert _inside(area, *_up(330))
    assert not _inside(area, *_up(420))
    # A walk starting in the middle of one long segment reaches both ways along it.
    long = WalkingNetwork.from_lines([_line((LAT, LNG), _up(1000))])
    (middle,) = service_areas(long, *_up(500), [200])
    assert _inside(middle, *_up(320)) and _inside(middle, *_up(680))
    assert not _inside(middle, *_up(260)) and not _inside(middle, *_up(740))


def test_the_connector_to_the_street_counts():
    network = WalkingNetwork.from_lines([_line(_up(-1000), _up(1000))])
    # 200 m east of the street: 150 m of a 350 m walk are left once on it.
    east = LNG + 200 / hav(LAT, LNG, LAT, LNG + 1)
    (area,) = service_areas(network, LAT, east, [350])
    assert _inside(area, *_up(120))
    assert not _inside(area, *_up(220))
    assert _inside(area, LAT, (LNG + east) / 2)  # the connector itself is drawn
    # A walk shorter than the connector reaches part of the way to the street only.
    (short,) = service_areas(network, LAT, east, [100])
    assert _inside(short, LAT, LNG + (east - LNG) * 0.6)
    assert not _inside(short, LAT, LNG)


def test_longer_walks_cover_shorter_ones_in_the_order_asked(river):
    areas = service_areas(river, LAT, LNG, [1050, 350, 700])
    longest, shortest, middle = areas
    assert shortest.area < middle.area < longest.area
    # Simplifying the outlines moves them by SIMPLIFY_M at most.
    slack = 2 * SIMPLIFY_M / 100_000  # degrees: more than that many metres here
    assert middle.buffer(slack).contains(shortest)
    assert longest.buffer(slack).contains(middle)


def test_distances_that_are_no_walk_are_refused(river):
    for bad in ([], [-1], [float("nan")], [float("inf")]):
        with pytest.raises(ValueError):
            service_areas(river, LAT, LNG, bad)


def test_without_a_network_the_area_is_a_circle_of_distance_over_detour():
    (circle,) = straight_line_areas(LAT, LNG, [390], detour=1.3)
    # 300 m in every direction, no further.
    for bearing in np.radians([0, 45, 90, 200]):
        dlat = np.cos(bearing) * 290 / hav(LAT, LNG, LAT + 1, LNG)
        dlng = np.sin(bearing) * 290 / hav(LAT, LNG, LAT, LNG + 1)
        assert _inside(circle, LAT + dlat, LNG + dlng)
        assert not _inside(circle, LAT + dlat * 320 / 290, LNG + dlng * 320 / 290)
