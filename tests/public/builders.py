"""Builders for the public pages' tests: places a known walk from a point."""

from decimal import Decimal

from sites.models import RouteStop, WalkingRoute

# Metres per degree of latitude on the sphere the siting code uses (R = 6,371,008.8 m).
M_PER_DEG_LAT = 6_371_008.8 * 3.141592653589793 / 180

ORIGIN_LAT = 31.190000
ORIGIN_LNG = 121.455000


def north_of(lat: float, metres: float) -> Decimal:
    """The latitude `metres` north of `lat` (straight line, along a meridian)."""
    return Decimal(f"{lat + metres / M_PER_DEG_LAT:.6f}")


def route(*, slug: str = "walk", published: bool = True, legs_m=(400, 500), **kwargs):
    """A route whose stops follow a meridian, each leg `legs_m[i]` metres straight."""
    walk = WalkingRoute.objects.create(
        name_zh=kwargs.pop("name_zh", f"路线 {slug}"),
        name_en=kwargs.pop("name_en", f"Route {slug}"),
        slug=slug,
        published=published,
        **kwargs,
    )
    metres = 0.0
    for order, leg in enumerate((0, *legs_m), start=1):
        metres += leg
        RouteStop.objects.create(
            route=walk,
            order=order * 10,
            name=f"Stop {order}",
            latitude=north_of(ORIGIN_LAT, metres),
            longitude=Decimal(f"{ORIGIN_LNG:.6f}"),
        )
    return walk
