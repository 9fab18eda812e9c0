import io

import pytest
from django.db.models import Sum

from sites import demo
from sites.models import Area, ServiceType, Site, SiteService, SiteStatus, SiteStatusChange

BOX = {"min_lat": 31.183, "max_lat": 31.203, "min_lng": 121.443, "max_lng": 121.468}


def counts() -> dict[str, int]:
    return {
        "areas": Area.objects.count(),
        "area_history": Area.history.count(),
        "sites": Site.objects.count(),
        "site_history": Site.history.count(),
        "services": SiteService.objects.count(),
        "service_history": SiteService.history.count(),
        "service_types": ServiceType.objects.count(),
        "status_changes": SiteStatusChange.objects.count(),
    }


@pytest.mark.django_db
def test_demo_loads_twice_without_changing_anything():
    demo.load(stdout=io.StringIO(), responses=0, seed=1)
    first = counts()
    demo.load(stdout=io.StringIO(), responses=0, seed=1)
    assert counts() == first
    assert 20 <= first["areas"] <= 30


@pytest.mark.django_db
def test_demo_is_illustrative_and_inside_fenglin():
    demo.load(stdout=io.StringIO(), responses=0, seed=1)
    assert not Site.objects.filter(illustrative=False).exists()
    assert not Area.objects.filter(illustrative=False).exists()
    for lat, lng in Site.objects.values_list("latitude", "longitude"):
        assert BOX["min_lat"] <= lat <= BOX["max_lat"]
        assert BOX["min_lng"] <= lng <= BOX["max_lng"]
    for lat, lng in Area.objects.values_list("centroid_lat", "centroid_lng"):
        assert BOX["min_lat"] <= lat <= BOX["max_lat"]
        assert BOX["min_lng"] <= lng <= BOX["max_lng"]


@pytest.mark.django_db
def test_demo_has_the_story_sites():
    demo.load(stdout=io.StringIO(), responses=0, seed=1)
    tianlong = Site.objects.get(code="tianlong-life-box")
    assert tianlong.floor_area_m2 == 1376
    assert tianlong.services.count() == 25
    used = tianlong.services.aggregate(total=Sum("floor_area_m2"))["total"]
    assert used <= tianlong.floor_area_m2
    complex_231 = Site.objects.get(address="零陵路231号")
    assert set(complex_231.services.values_list("service_type__code", flat=True)) == {
        "committee_office",
        "elderly_day_care",
        "health_station",
    }
    for address in ["中山南二路930号", "零陵路404号", "小木桥路440弄22号甲"]:
        assert Site.objects.filter(address=address).exists()
    # Hazard flags follow inspection findings: the safety demo raises them, this one none.
    assert not Site.objects.hazardous().exists()
    assert Site.objects.filter(status=SiteStatus.CANDIDATE).count() >= 5
    assert Site.objects.filter(status=SiteStatus.OPERATING).count() >= 20
    assert SiteService.objects.filter(service_type__code="committee_office").count() == 22
