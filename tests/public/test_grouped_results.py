"""The residents' results: one card per site, filters for minutes and category, hazard notices,
maps-app links, and the search by place name that sets where walks start from."""

import html
import re
from decimal import Decimal

import pytest

from tests.builders import (
    make_area,
    make_residential_point,
    make_service_type,
    make_site,
    make_site_service,
)
from tests.public.builders import ORIGIN_LAT, ORIGIN_LNG, north_of

URL = "/map/"
LNG = Decimal(f"{ORIGIN_LNG:.6f}")

pytestmark = pytest.mark.django_db


@pytest.fixture
def home_area(db):
    return make_area(
        name="Home area",
        centroid_lat=Decimal(f"{ORIGIN_LAT:.6f}"),
        centroid_lng=LNG,
    )


def site_at(name: str, metres: float, *codes: str, **kwargs):
    site = make_site(
        name=name,
        address=f"{name} road",
        latitude=north_of(ORIGIN_LAT, metres),
        longitude=LNG,
        **kwargs,
    )
    for code in codes:
        make_site_service(site, make_service_type(code), opening_hours=f"{code} 08:00–20:00")
    return site


def results(body: str) -> str:
    """The results column: from its heading to the map's."""
    return body[body.index('id="results"') : body.index('id="map-heading"')]


def cards(body: str) -> list[str]:
    """Each site's card, from its opening to its last line (the maps-app links)."""
    parts = body.split('<li class="card place-card">')[1:]
    return [part[: part.index("</p>", part.index('class="maps-links"'))] for part in parts]


def test_a_site_with_many_services_is_one_card_listing_them_all_with_hours(english, home_area):
    site_at("Life box", 200, "canteen", "laundry", "health_station")
    site_at("Clinic", 400, "health_station")

    body = english.get(URL, {"area": home_area.pk}).content.decode()
    found = cards(results(body))

    assert len(found) == 2
    box = found[0]
    assert "Life box" in box
    for name in ("Community canteen", "Laundry", "Health station"):
        assert box.count(name) == 1
    assert "laundry 08:00–20:00" in box
    # 200 m straight, 260 m walked: 4 minutes (ceil of 3.7).
    assert "4 min walk" in box
    assert "Clinic" in found[1]


def test_five_minutes_keeps_only_the_sites_that_near(english, home_area):
    site_at("Near box", 200, "canteen")
    site_at("Far box", 600, "laundry")  # 780 m walked: 12 minutes

    body = results(english.get(URL, {"area": home_area.pk, "minutes": 5}).content.decode())

    assert len(cards(body)) == 1 and "Near box" in body
    assert "Within 5 minutes of Home area" in body
    beyond = body[body.index('id="beyond-heading"') :]
    assert "Far box" in beyond and "nearest 12 min" in beyond


def test_a_category_keeps_only_its_services_and_the_sites_offering_them(english, home_area):
    site_at("Life box", 200, "canteen", "health_station")
    site_at("Laundry shop", 300, "laundry")

    body = results(english.get(URL, {"area": home_area.pk, "category": "health"}).content.decode())

    assert len(cards(body)) == 1
    assert "Health station" in body and "Community canteen" not in body
    assert "Laundry shop" not in body


@pytest.mark.parametrize("params", [{"minutes": "7"}, {"minutes": "x"}, {"category": "nope"}])
def test_a_filter_value_not_offered_falls_back_to_all_within_15_minutes(english, home_area, params):
    site_at("Box", 800, "canteen")  # 1,040 m walked: 15 minutes

    response = english.get(URL, {"area": home_area.pk, **params})

    assert response.status_code == 200
    assert len(cards(results(response.content.decode()))) == 1


def test_the_filters_are_links_that_keep_the_origin_and_the_other_filter(english, home_area):
    site_at("Box", 100, "canteen", "health_station")

    body = english.get(URL, {"area": home_area.pk, "category": "food"}).content.decode()
    links = [html.unescape(h) for h in re.findall(r'class="chip" href="([^"]+)"', body)]

    five = next(link for link in links if "minutes=5" in link)
    assert f"area={home_area.pk}" in five and "category=food" in five
    assert five.endswith("#results")
    assert 'aria-current="true">Food and shopping' in body


def test_a_site_with_open_hazards_carries_a_plain_notice(english, home_area):
    site_at("Safe box", 100, "canteen")
    site_at("Checked box", 200, "laundry", hazard_fire=True)

    found = cards(results(english.get(URL, {"area": home_area.pk}).content.decode()))

    assert "Safety check in progress" not in found[0]
    assert "Safety check in progress" in found[1]


def test_each_card_opens_the_site_in_a_maps_app(english, home_area):
    site = site_at("Box", 100, "canteen")

    (card,) = cards(results(english.get(URL, {"area": home_area.pk}).content.decode()))

    lat, lng = f"{site.latitude:.6f}", f"{site.longitude:.6f}"
    assert f'href="geo:{lat},{lng}?q={lat},{lng}(Box)"' in card
    amap = html.unescape(re.search(r'href="(https://uri.amap.com/[^"]+)"', card).group(1))
    assert amap == f"https://uri.amap.com/marker?position={lng},{lat}&name=Box&coordinate=wgs84"
    assert f'href="/places/{site.pk}/?area={home_area.pk}"' in card


def test_after_a_search_the_page_lands_on_the_results_heading(client, home_area):
    body = client.get(URL, {"area": home_area.pk}).content.decode()

    assert body.count('action="/map/#results"') == 2  # the place search and the neighbourhood
    assert '<h2 id="results" tabindex="-1">' in body


def test_a_search_lists_matching_places_as_links_that_set_the_origin(client, home_area):
    estate = make_residential_point(
        code="ll", name="零陵小区", name_en="Lingling Xiaoqu", latitude=Decimal("31.1910")
    )
    site_at("Box", 100, "canteen")

    body = client.get(URL, {"q": "lingling", "minutes": "10"}).content.decode()

    assert "零陵小区" in results(body)
    assert f'href="/map/?place=estate-{estate.pk}&amp;minutes=10#results"' in body
    assert 'class="card place-card"' not in body

    picked = client.get(URL, {"place": f"estate-{estate.pk}", "minutes": "10"})
    assert "零陵小区" in results(picked.content.decode())
    assert len(cards(results(picked.content.decode()))) == 1


def test_a_search_that_finds_nothing_says_so_and_an_empty_one_asks_for_a_name(english):
    body = english.get(URL, {"q": "zzzz"}).content.decode()
    assert "No place matches." in body

    body = english.get(URL, {"q": ""}).content.decode()
    assert 'id="id_q_error"' in body
    assert "Type the name of your housing estate, a road or a site." in body


def test_an_unknown_place_gets_a_message_not_an_error_page(english, home_area):
    response = english.get(URL, {"place": "estate-0"})

    assert response.status_code == 200
    assert "That place could not be found. Search for it again." in response.content.decode()


def test_suggestions_come_as_json_links_in_the_page_language(english):
    estate = make_residential_point(code="ll", name="零陵小区", name_en="Lingling Xiaoqu")

    data = english.get("/map/places/", {"q": "llxq"}).json()

    assert data == {
        "places": [
            {
                "label": "Lingling Xiaoqu",
                "kind": "Housing estate",
                "address": "",
                "url": f"/map/?place=estate-{estate.pk}#results",
            }
        ]
    }
    assert english.get("/map/places/", {"q": ""}).json() == {"places": []}
