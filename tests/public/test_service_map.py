import re
from decimal import Decimal

import pytest
from django.urls import reverse

from siting.constants import DETOUR_FACTOR, WALKING_SPEED_M_PER_MIN
from tests.builders import make_area, make_service_type, make_site, make_site_service
from tests.public.builders import ORIGIN_LAT, ORIGIN_LNG, north_of

URL = "/map/"


@pytest.fixture
def home_area(db):
    return make_area(
        name="Home area",
        centroid_lat=Decimal(f"{ORIGIN_LAT:.6f}"),
        centroid_lng=Decimal(f"{ORIGIN_LNG:.6f}"),
    )


def operating_canteen(name: str, metres: float, **kwargs):
    site = make_site(
        name=name,
        address=f"{name} road",
        latitude=north_of(ORIGIN_LAT, metres),
        longitude=Decimal(f"{ORIGIN_LNG:.6f}"),
    )
    return make_site_service(site, make_service_type("canteen"), **kwargs)


def test_the_url_is_public_and_named():
    assert reverse("public_service_map") == URL


@pytest.mark.django_db
def test_anyone_can_open_the_map_in_chinese_by_default(client, home_area):
    response = client.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in body
    assert 'id="service-map"' in body
    assert "Home area" in body  # the neighbourhood select, the map's text alternative
    assert 'name="lat"' in body and 'name="lng"' in body


@pytest.mark.django_db
def test_choosing_a_neighbourhood_lists_the_nearest_sites_with_minutes_and_hours(
    english, home_area
):
    operating_canteen("Near canteen", 250, opening_hours="07:00–19:00")
    operating_canteen("Far canteen", 900)

    response = english.get(URL, {"area": home_area.pk})
    body = response.content.decode()

    assert response.status_code == 200
    assert "Within 15 minutes of Home area" in body
    assert "Near canteen" in body and "5 min walk" in body
    assert "07:00–19:00" in body
    # The far canteen is beyond 15 minutes, and a canteen is nearer: it is not listed.
    assert body.count('class="card place-card"') == 1
    assert "Far canteen" not in body[body.index('id="results"') : body.index('id="map-heading"')]


@pytest.mark.django_db
def test_the_page_states_the_walking_assumptions_of_the_planning_pages(english, home_area):
    body = english.get(URL, {"area": home_area.pk}).content.decode()
    speed, detour = f"{WALKING_SPEED_M_PER_MIN:g}", f"{DETOUR_FACTOR:g}"
    assert (speed, detour) == ("70", "1.3")
    assert (
        f"Walking time assumes {speed} metres a minute along streets about {detour} times" in body
    )


@pytest.mark.django_db
def test_a_service_whose_nearest_site_is_far_is_marked_beyond_15_minutes(english, home_area):
    operating_canteen("Far canteen", 900)

    body = english.get(URL, {"area": home_area.pk}).content.decode()

    # 900 m straight, 1,170 m walked: 17 minutes at 70 m/min.
    beyond = body[body.index("Not within 15 minutes") :]
    assert "Far canteen" in beyond and "nearest 17 min" in beyond
    assert 'class="card place-card"' not in body
    assert "Nothing within this walk" in body


@pytest.mark.django_db
def test_a_dropped_pin_measures_from_the_pin(english, home_area):
    operating_canteen("Canteen", 0)

    response = english.get(URL, {"lat": str(north_of(ORIGIN_LAT, 700)), "lng": ORIGIN_LNG})
    body = response.content.decode()

    # 700 m straight, 910 m walked: 13 minutes at 70 m/min.
    assert "Within 15 minutes of the pin you dropped" in body
    assert "13 min walk" in body


@pytest.mark.django_db
def test_a_neighbourhood_chosen_after_a_pin_wins(english, home_area):
    operating_canteen("Canteen", 0)

    response = english.get(URL, {"area": home_area.pk, "lat": "31.2", "lng": "121.46"})

    assert "Within 15 minutes of Home area" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lat": "abc", "lng": "121.45"}, "The point on the map could not be read."),
        ({"lat": "nan", "lng": "nan"}, "The point on the map could not be read."),
        ({"lat": "1e400", "lng": "121.45"}, "The point on the map could not be read."),
        ({"lat": "31.19"}, "The point on the map could not be read."),
        ({"lat": "39.9", "lng": "116.4"}, "That point lies outside Fenglin street."),
        ({"lat": "-91", "lng": "500"}, "That point lies outside Fenglin street."),
        ({"area": ""}, "Choose your neighbourhood or drop a pin on the map."),
        ({"area": "999999"}, "Select a valid choice."),
        ({"area": "'; drop table"}, "Select a valid choice."),
    ],
)
def test_bad_input_gets_a_clear_message_not_an_error_page(english, home_area, params, message):
    operating_canteen("Canteen", 0)

    response = english.get(URL, params)
    body = response.content.decode()

    assert response.status_code == 200
    assert message in body
    assert "Canteen road" not in body  # no results for a point we could not place


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_number_of_sites(
    client, home_area, django_assert_max_num_queries
):
    operating_canteen("First", 100)
    with django_assert_max_num_queries(6) as few:
        client.get(URL, {"area": home_area.pk})
    for i in range(30):
        operating_canteen(f"Canteen {i}", 100 + 20 * i)
        make_site_service(make_site(name=f"Box {i}"), make_service_type(f"svc_{i}", order=i))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"area": home_area.pk})
    body = response.content.decode()
    # One card per site: the 31 canteens and the 30 boxes are all within 15 minutes.
    assert body.count('class="card place-card"') == 61


@pytest.mark.django_db
def test_map_scripts_carry_the_csp_nonce_and_no_inline_styles(client, home_area):
    response = client.get(URL, {"area": home_area.pk})
    body = response.content.decode()
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    tags = re.findall(r"<script[^>]*>", body)
    # Scripts from files are allowed by 'self'; inline code runs only with the nonce.
    inline = [t for t in tags if "src=" not in t and "application/json" not in t]
    assert inline and all(f'nonce="{nonce}"' in tag for tag in inline)
    assert "style=" not in body


@pytest.mark.django_db
def test_sites_within_reach_come_nearest_first_and_the_rest_as_nearest_beyond(english, home_area):
    operating_canteen("Canteen at 500 m", 500)
    nursery = make_site(
        name="Nursery at 100 m",
        latitude=north_of(ORIGIN_LAT, 100),
        longitude=Decimal(f"{ORIGIN_LNG:.6f}"),
    )
    make_site_service(nursery, make_service_type("nursery"))
    far = make_site(
        name="Market at 2 km",
        latitude=north_of(ORIGIN_LAT, 2000),
        longitude=Decimal(f"{ORIGIN_LNG:.6f}"),
    )
    make_site_service(far, make_service_type("market"))

    body = english.get(URL, {"area": home_area.pk}).content.decode()

    cards = body[body.index('class="cards place-cards"') : body.index('id="beyond-heading"')]
    assert cards.index("Nursery at 100 m") < cards.index("Canteen at 500 m")
    assert "Market at 2 km" not in cards
    assert "Market at 2 km" in body[body.index('id="beyond-heading"') :]
    assert "2 places within 15 minutes on foot offer 2 of the services you chose." in body
