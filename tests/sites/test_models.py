from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from sites.models import Area, Site, SiteService, SiteStatus
from tests.builders import make_service_type, make_site, make_site_service

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [
            [121.450, 31.190],
            [121.460, 31.190],
            [121.460, 31.196],
            [121.450, 31.196],
            [121.450, 31.190],
        ]
    ],
}
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [
        [
            [121.450, 31.190],
            [121.460, 31.196],
            [121.460, 31.190],
            [121.450, 31.196],
            [121.450, 31.190],
        ]
    ],
}


def errors_of(obj) -> dict:
    with translation.override("en"), pytest.raises(ValidationError) as info:
        obj.full_clean()
    with translation.override("en"):
        return info.value.message_dict


@pytest.mark.django_db
def test_a_closed_site_needs_a_reason():
    site = make_site(status=SiteStatus.OPERATING)
    site.status = SiteStatus.CLOSED
    assert "closed_reason" in errors_of(site)
    site.closed_reason = "Fire hazard"
    site.full_clean()


@pytest.mark.django_db
def test_the_database_refuses_a_closed_site_without_reason():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_site(status=SiteStatus.CLOSED, closed_reason="")


@pytest.mark.django_db
def test_coordinates_outside_the_region_are_refused():
    site = Site(name="Far", address="Beijing", latitude=Decimal("39.9"), longitude=Decimal("116.4"))
    errors = errors_of(site)
    assert "latitude" in errors and "longitude" in errors


@pytest.mark.django_db
def test_services_may_not_exceed_the_site_floor_area_and_the_error_says_by_how_much():
    site = make_site(floor_area_m2=Decimal("500"))
    make_site_service(site, make_service_type("canteen"), floor_area_m2=Decimal("300"))
    extra = SiteService(
        site=site, service_type=make_service_type("health_station"), floor_area_m2=250
    )
    errors = errors_of(extra)
    assert "50" in errors["floor_area_m2"][0]  # 300 + 250 - 500
    extra.floor_area_m2 = Decimal("200")
    extra.full_clean()


@pytest.mark.django_db
def test_shrinking_a_site_below_its_services_floor_area_is_refused():
    site = make_site(floor_area_m2=Decimal("500"))
    make_site_service(site, make_service_type("canteen"), floor_area_m2=Decimal("400"))
    site.floor_area_m2 = Decimal("350")
    errors = errors_of(site)
    assert "50" in errors["floor_area_m2"][0]


@pytest.mark.django_db
def test_site_codes_are_unique_but_optional():
    make_site(code=None)
    make_site(code=None)
    make_site(code="tianlong")
    assert "code" in errors_of(
        Site(name="x", address="y", latitude=31.19, longitude=121.45, code="tianlong")
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("boundary", "message"),
    [
        ({"type": "Polygon", "coordinates": [["a", "b"]]}, "malformed"),
        (BOW_TIE, "Self-intersection"),
        ({"type": "Point", "coordinates": [121.45, 31.19]}, "Polygon"),
    ],
)
def test_bad_boundaries_get_a_clear_message(boundary, message):
    area = Area(name="A", code="a", centroid_lat=31.193, centroid_lng=121.455, boundary=boundary)
    errors = errors_of(area)
    assert message in " ".join(errors["boundary"])


@pytest.mark.django_db
def test_a_valid_boundary_must_contain_the_centre_point():
    area = Area(name="A", code="a", centroid_lat=31.193, centroid_lng=121.455, boundary=SQUARE)
    area.full_clean()
    area.centroid_lat = Decimal("31.1")
    assert "centroid_lat" in errors_of(area)


@pytest.mark.django_db
def test_the_elderly_cannot_outnumber_the_population():
    area = Area(
        name="A",
        code="a",
        centroid_lat=31.193,
        centroid_lng=121.455,
        population_total=100,
        population_elderly=101,
    )
    assert errors_of(area)


@pytest.mark.django_db
def test_transitions_follow_the_lifecycle():
    site = make_site(status=SiteStatus.CANDIDATE)
    assert site.can_move_to(SiteStatus.SELECTED)
    assert not site.can_move_to(SiteStatus.OPERATING)
