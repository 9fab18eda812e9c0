"""Demo data for the residents' pages: the street's curated walk "精品路线" (idempotent).

Stops use the demo sites when the sites demo has them (found by a word of their name), otherwise
approximate coordinates of our own. Either way the locations are illustrative.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from sites.models import RouteStop, Site, WalkingRoute

ROUTE_SLUG = "jingpin"

# (words to find the demo site by, stop name, illustrative latitude, longitude, description)
STOPS = [
    (("天龙",), "天龙生活盒子", "31.187200", "121.447800", "1,376 平方米里的 25 项服务。"),
    (
        ("宛平剧院", "Wanping theatre"),
        "宛平剧院",
        "31.188500",
        "121.451200",
        "中山南二路上的戏曲剧院。",
    ),
    (
        ("东安公园", "Dong'an park"),
        "东安公园",
        "31.191200",
        "121.454800",
        "街区里的口袋公园，适合歇脚。",
    ),
    (
        ("产业园", "科创园", "Industrial park"),
        "枫林产业园",
        "31.195000",
        "121.459000",
        "老厂房改造的产业园区。",
    ),
    (("钟表",), "钟表博物馆", "31.198500", "121.456000", "收藏百年钟表的小型博物馆。"),
]


@transaction.atomic
def load(*, stdout, responses: int, seed: int) -> None:
    """Create or refresh the demo walk; running it again changes nothing."""
    route, _created = WalkingRoute.objects.update_or_create(
        slug=ROUTE_SLUG,
        defaults={
            "name_zh": "精品路线",
            "name_en": "Fenglin signature walk",
            "description": (
                "串联天龙生活盒子、宛平剧院、东安公园、产业园和钟表博物馆的街区步行路线（坐标为示意）。"
                "\nA walk linking the Tianlong life box, Wanping theatre, Dong'an park, the "
                "industrial park and the clock museum (illustrative locations)."
            ),
            "published": True,
        },
    )
    for order, (words, name, lat, lng, description) in enumerate(STOPS, start=1):
        named = Q()
        for word in words:
            named |= Q(name__contains=word)
        site = Site.objects.filter(named).order_by("pk").first()
        if site is not None:
            name, lat, lng = site.name, site.latitude, site.longitude
        RouteStop.objects.update_or_create(
            route=route,
            order=order,
            defaults={
                "name": name,
                "site": site,
                "latitude": Decimal(lat),
                "longitude": Decimal(lng),
                "description": description,
            },
        )
    route.stops.filter(order__gt=len(STOPS)).delete()
    stdout.write(f"Walking route {route.name_zh}: {len(STOPS)} stops (illustrative).")
