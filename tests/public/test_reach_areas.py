"""The residents' map shades how far a 5, 10 and 15-minute walk reaches: along the streets of
the active walking network, circles only where none is loaded, and the page says which."""

from decimal import Decimal

import pytest
import shapely
from django.urls import reverse

from tests.builders import make_area, make_walking_network
from tests.public.builders import ORIGIN_LAT, ORIGIN_LNG
from tests.siting.support import hav, north_of

URL = reverse("public_service_map")
METRES_PER_DEGREE_EAST = float(hav(ORIGIN_LAT, 0, ORIGIN_LAT, 1))


def _east(metres: float) -> shapely.Point:
    return shapely.Point(ORIGIN_LNG + metres / METRES_PER_DEGREE_EAST, ORIGIN_LAT)


pytestmark = pytest.mark.django_db


@pytest.fixture
def home(db):
    return make_area(
        name="Home",
        centroid_lat=Decimal(f"{ORIGIN_LAT:.6f}"),
        centroid_lng=Decimal(f"{ORIGIN_LNG:.6f}"),
    )


def _reach(response):
    return response.context["map_data"]["reach"]


def _area(reach, minutes):
    (feature,) = [f for f in reach["features"] if f["properties"]["minutes"] == minutes]
    return shapely.geometry.shape(feature["geometry"])


def test_on_a_network_the_areas_follow_the_streets(english, home):
    # One north-south street through home.
    street = [(ORIGIN_LNG, north_of(ORIGIN_LAT, -2000)), (ORIGIN_LNG, north_of(ORIGIN_LAT, 2000))]
    network = make_walking_network([street], name="Home street")
    response = english.get(URL, {"area": home.pk})

    reach = _reach(response)
    assert reach["on_network"] is True
    assert [f["properties"]["minutes"] for f in reach["features"]] == [15, 10, 5]
    five = _area(reach, 5)
    # 350 m up the street; not 150 m across the blocks, where a circle of 269 m would reach.
    assert five.contains(shapely.Point(ORIGIN_LNG, north_of(ORIGIN_LAT, 320)))
    assert not five.contains(_east(150))
    assert not _area(reach, 15).contains(_east(300))
    body = response.content.decode()
    assert f"measured on the walking network Home street v{network.pk}" in body
    assert "rings" not in response.context["map_data"]


def test_without_a_network_the_areas_are_circles_and_the_page_says_so(english, home):
    response = english.get(URL, {"area": home.pk})
    reach = _reach(response)
    assert reach["on_network"] is False
    # 15 minutes at 70 m/min is 1,050 m on foot, 808 m as the crow flies: 300 m east is inside.
    assert _area(reach, 15).contains(_east(300))
    assert not _area(reach, 15).contains(_east(830))
    assert "no walking network is loaded" in response.content.decode()
    assert "straight line × 1.3" in response.content.decode()


def test_nothing_is_shaded_before_a_place_is_chosen(english, home):
    response = english.get(URL)
    assert _reach(response) is None
    assert 'id="reach-legend"' not in response.content.decode()
