"""Builders for test data: plain functions with sensible defaults, overridable by keyword."""

from decimal import Decimal
from itertools import count

from sites.models import Area, ServiceType, Site, SiteService, SiteStatus

_seq = count(1)


def area(**kwargs) -> Area:
    n = next(_seq)
    defaults = {
        "name": f"Area {n}",
        "code": f"area-{n}",
        "centroid_lat": Decimal("31.193000"),
        "centroid_lng": Decimal("121.455000"),
        "population_total": 5000,
        "population_elderly": 1500,
        "population_children_0_6": 300,
        "population_children_7_14": 400,
        "population_disabled": 100,
        "households": 2000,
    }
    defaults.update(kwargs)
    return Area.objects.create(**defaults)


def service_type(code: str = "canteen", **kwargs) -> ServiceType:
    """A service type from the seeded catalogue, or a new one when the code is new."""
    existing = ServiceType.objects.filter(code=code).first()
    if existing and not kwargs:
        return existing
    defaults = {
        "name_zh": code,
        "name_en": code.replace("_", " ").title(),
        "threshold_m": 300,
        "target_group": "all",
        "level": "5min",
    }
    defaults.update(kwargs)
    obj, _created = ServiceType.objects.update_or_create(code=code, defaults=defaults)
    return obj


def site(**kwargs) -> Site:
    n = next(_seq)
    defaults = {
        "name": f"Site {n}",
        "address": f"{n} 零陵路",
        "latitude": Decimal("31.193000"),
        "longitude": Decimal("121.455000"),
        "floor_area_m2": Decimal("500"),
        "status": SiteStatus.OPERATING,
    }
    defaults.update(kwargs)
    return Site.objects.create(**defaults)


def site_service(site_obj: Site | None = None, service: ServiceType | None = None, **kwargs):
    return SiteService.objects.create(
        site=site_obj or site(), service_type=service or service_type(), **kwargs
    )
