import io
from decimal import Decimal

import pytest

from scenarios import public_demo
from sites.models import RouteStop, WalkingRoute
from tests.builders import make_site


def load():
    public_demo.load(stdout=io.StringIO(), responses=0, seed=1)


def snapshot():
    return list(
        RouteStop.objects.order_by("route__slug", "order").values_list(
            "route__slug", "order", "name", "site_id", "latitude", "longitude", "description"
        )
    )


@pytest.mark.django_db
def test_the_demo_walk_links_the_five_places_in_order_and_is_idempotent():
    load()
    first = snapshot()
    load()

    assert snapshot() == first
    route = WalkingRoute.objects.get()
    assert route.name_zh == "精品路线" and route.published
    names = [name for _slug, _order, name, *_rest in first]
    assert len(names) == 5
    for name, word in zip(names, ["天龙", "宛平", "东安", "园", "钟表"], strict=True):
        assert word in name


@pytest.mark.django_db
def test_the_demo_walk_uses_the_demo_sites_when_they_exist():
    box = make_site(
        name="天龙生活盒子",
        latitude=Decimal("31.191234"),
        longitude=Decimal("121.456789"),
    )

    load()

    stop = RouteStop.objects.get(order=1)
    assert stop.site == box
    assert (stop.latitude, stop.longitude) == (box.latitude, box.longitude)


@pytest.mark.django_db
def test_the_demo_walk_follows_the_sites_demo():
    from sites import demo as sites_demo

    sites_demo.load(stdout=io.StringIO(), responses=0, seed=1)
    load()

    stops = RouteStop.objects.order_by("order").select_related("site")
    assert all(stop.site is not None for stop in stops)
    assert all(stop.site.illustrative for stop in stops)
    assert [(s.latitude, s.longitude) for s in stops] == [
        (s.site.latitude, s.site.longitude) for s in stops
    ]


@pytest.mark.django_db
def test_the_demo_route_page_opens(client):
    load()
    assert client.get("/routes/jingpin/").status_code == 200
