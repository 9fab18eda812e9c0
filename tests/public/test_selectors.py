from decimal import Decimal

import pytest

from scenarios import public_selectors as selectors
from tests.builders import make_service_type, make_site, make_site_service
from tests.public.builders import ORIGIN_LAT, ORIGIN_LNG, north_of

ORIGIN = selectors.Origin(lat=ORIGIN_LAT, lng=ORIGIN_LNG)


def offer_at(metres: float, service, **kwargs):
    site = make_site(
        name=kwargs.pop("name", f"Site {metres} m"),
        latitude=north_of(ORIGIN_LAT, metres),
        longitude=Decimal(f"{ORIGIN_LNG:.6f}"),
        status=kwargs.pop("site_status", "operating"),
    )
    return make_site_service(site, service, **kwargs)


@pytest.mark.parametrize(
    ("minutes", "band"), [(0, 5), (5, 5), (6, 10), (10, 10), (15, 15), (16, None)]
)
def test_minute_band_is_the_smallest_band_the_walk_fits_in(minutes, band):
    assert selectors.minute_band(minutes) == band


@pytest.mark.django_db
def test_walking_minutes_are_straight_distance_times_detour_at_an_adult_pace():
    canteen = make_service_type("canteen")
    # straight 250/500/800/900 m -> walk 325/650/1040/1170 m -> 4.6/9.3/14.9/16.7 min at 70 m/min
    for metres in (900, 250, 800, 500):
        offer_at(metres, canteen)

    [result] = selectors.nearest_services(ORIGIN, selectors.operating_offers(), per_service=4)

    assert [n.site.name for n in result.nearest] == [
        "Site 250 m",
        "Site 500 m",
        "Site 800 m",
        "Site 900 m",
    ]
    assert [n.minutes for n in result.nearest] == [5, 10, 15, 17]
    assert [n.band for n in result.nearest] == [5, 10, 15, None]
    assert result.nearest[0].walk_m == pytest.approx(325, abs=0.5)
    assert result.band == 5


@pytest.mark.django_db
def test_only_the_nearest_few_are_kept_per_service():
    canteen = make_service_type("canteen")
    for metres in (100, 200, 300, 400, 500):
        offer_at(metres, canteen)

    [result] = selectors.nearest_services(ORIGIN, selectors.operating_offers(), per_service=3)

    assert [n.site.name for n in result.nearest] == ["Site 100 m", "Site 200 m", "Site 300 m"]


@pytest.mark.django_db
def test_services_are_grouped_separately_in_catalogue_order():
    canteen = make_service_type("canteen")
    nursery = make_service_type("nursery")
    offer_at(900, canteen, name="Far canteen")
    offer_at(100, nursery, name="Near nursery")

    results = selectors.nearest_services(ORIGIN, selectors.operating_offers())

    by_code = {r.service_type.code: [n.site.name for n in r.nearest] for r in results}
    assert by_code == {"canteen": ["Far canteen"], "nursery": ["Near nursery"]}
    orders = [(r.service_type.order, r.service_type.code) for r in results]
    assert orders == sorted(orders)


@pytest.mark.django_db
def test_only_running_services_at_operating_sites_of_active_types_count():
    canteen = make_service_type("canteen")
    retired = make_service_type("retired_service", active=False)
    offer_at(100, canteen, name="Candidate premises", site_status="candidate")
    offer_at(200, canteen, name="Suspended canteen", status="suspended")
    offer_at(300, retired, name="Retired service")
    offer_at(400, canteen, name="Open canteen")

    results = selectors.nearest_services(ORIGIN, selectors.operating_offers())

    assert [[n.site.name for n in r.nearest] for r in results] == [["Open canteen"]]


@pytest.mark.django_db
def test_no_offers_give_no_results():
    assert selectors.nearest_services(ORIGIN, selectors.operating_offers()) == []


@pytest.mark.django_db
def test_each_site_appears_once_on_the_map_with_all_its_services():
    site = make_site(name="Life box")
    make_site_service(site, make_service_type("canteen"))
    make_site_service(site, make_service_type("laundry"))

    [entry] = selectors.sites_on_map(selectors.operating_offers())

    assert entry["name"] == "Life box"
    assert entry["label"].count("·") == 1


@pytest.mark.django_db
def test_route_length_is_the_sum_of_its_legs_times_the_detour():
    from tests.public.builders import route

    walk = route(legs_m=(400, 500))

    summary = selectors.summarise_route(walk)

    # 900 m straight along a meridian, 1,170 m walked, 16.7 minutes at 70 m/min.
    assert [s.stop.name for s in summary.stops] == ["Stop 1", "Stop 2", "Stop 3"]
    assert [round(s.leg_m) for s in summary.stops] == [0, 520, 650]
    assert summary.length_m == pytest.approx(1170, abs=1)
    assert summary.minutes == 17


@pytest.mark.django_db
def test_a_route_without_stops_has_no_length():
    from sites.models import WalkingRoute

    walk = WalkingRoute.objects.create(name_zh="空", slug="empty", published=True)

    summary = selectors.summarise_route(walk)

    assert summary.stops == []
    assert summary.length_m == 0
