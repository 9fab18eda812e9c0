"""A service site's page for residents: what it runs and when, the walk from their place, any
safety notice, and no page at all for a site that is not operating."""

from decimal import Decimal

import pytest

from sites.models import ServiceStatus, SiteStatus
from tests.builders import (
    make_area,
    make_residential_point,
    make_service_type,
    make_site,
    make_site_service,
)
from tests.public.builders import ORIGIN_LAT, ORIGIN_LNG, north_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def box(db):
    site = make_site(
        name="Life box",
        address="零陵路231号",
        latitude=north_of(ORIGIN_LAT, 300),
        longitude=Decimal(f"{ORIGIN_LNG:.6f}"),
    )
    make_site_service(site, make_service_type("canteen"), opening_hours="07:00–19:00")
    make_site_service(site, make_service_type("laundry"))
    make_site_service(site, make_service_type("health_station"), status=ServiceStatus.SUSPENDED)
    return site


def test_the_page_lists_running_services_with_hours_and_maps_links(english, box):
    response = english.get(f"/places/{box.pk}/")
    body = response.content.decode()

    assert response.status_code == 200
    assert "<h1>Life box</h1>" in body and "零陵路231号" in body
    assert "Community canteen" in body and "07:00–19:00" in body
    assert "Laundry" in body and "Opening hours not registered" in body
    assert "Health station" not in body  # suspended
    assert 'href="geo:' in body and "https://uri.amap.com/marker?position=" in body
    assert 'id="site-walk"' not in body  # no origin given
    assert "Safety check in progress" not in body


def test_the_walk_is_measured_from_the_place_the_resident_searched_for(english, box):
    estate = make_residential_point(
        code="home",
        name="零陵小区",
        name_en="Lingling Xiaoqu",
        latitude=Decimal(f"{ORIGIN_LAT:.6f}"),
        longitude=Decimal(f"{ORIGIN_LNG:.6f}"),
    )

    body = english.get(f"/places/{box.pk}/", {"place": f"estate-{estate.pk}"}).content.decode()

    # 300 m straight, 390 m walked: 6 minutes (ceil of 5.6).
    assert "6 min on foot from Lingling Xiaoqu, about 390 m" in body
    assert f'href="/map/?place=estate-{estate.pk}#results"' in body


def test_the_walk_from_a_neighbourhood_or_a_pin(english, box):
    area = make_area(
        name="Home area",
        centroid_lat=Decimal(f"{ORIGIN_LAT:.6f}"),
        centroid_lng=Decimal(f"{ORIGIN_LNG:.6f}"),
    )
    by_area = english.get(f"/places/{box.pk}/", {"area": area.pk}).content.decode()
    by_pin = english.get(
        f"/places/{box.pk}/", {"lat": f"{ORIGIN_LAT:.6f}", "lng": f"{ORIGIN_LNG:.6f}"}
    ).content.decode()

    assert "6 min on foot from Home area" in by_area
    assert "6 min on foot from the pin you dropped" in by_pin


def test_a_bad_origin_still_shows_the_site_without_a_walk(english, box):
    response = english.get(f"/places/{box.pk}/", {"lat": "abc", "lng": "1", "place": "x-1"})

    assert response.status_code == 200
    assert "Life box" in response.content.decode()
    assert 'id="site-walk"' not in response.content.decode()


def test_a_site_with_open_hazards_says_so_in_plain_words(english, box):
    box.hazard_food = True
    box.save()

    body = english.get(f"/places/{box.pk}/").content.decode()

    assert "Safety check in progress." in body


@pytest.mark.parametrize("status", [SiteStatus.CANDIDATE, SiteStatus.CLOSED])
def test_a_site_that_is_not_operating_has_no_public_page(client, box, status):
    box.status = status
    box.closed_reason = "Fire hazard"
    box.save()

    assert client.get(f"/places/{box.pk}/").status_code == 404
    assert client.get("/places/999999/").status_code == 404


def test_the_page_takes_a_fixed_number_of_queries(client, box, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get(f"/places/{box.pk}/")
