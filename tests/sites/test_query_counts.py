"""The list and map pages read a fixed number of queries, however many sites there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sites.models import Area, ServiceType, Site, SiteService, SiteStatus

STATUSES = SiteStatus.values


def make_sites(count: int) -> None:
    area = Area.objects.create(
        name="A", code=f"a-{count}", centroid_lat="31.19", centroid_lng="121.45"
    )
    sites = Site.objects.bulk_create(
        Site(
            name=f"Site {i}",
            address=f"{i} 零陵路",
            latitude="31.190000",
            longitude="121.450000",
            area=area,
            status=STATUSES[i % 4],  # never closed: closing needs a reason
            hazard_fire=i % 7 == 0,
        )
        for i in range(count)
    )
    types = list(ServiceType.objects.all()[:3])
    SiteService.objects.bulk_create(
        SiteService(site=site, service_type=types[i % 3]) for i, site in enumerate(sites)
    )


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["", "?status=operating", "?hazard=any", "?q=Site&page=2"], ids=str
)
def test_list_and_map_queries_do_not_grow_with_the_number_of_sites(
    planner_client, django_assert_max_num_queries, query
):
    make_sites(10)
    url = reverse("sites:site_list") + query.replace("page=2", "page=1")
    at_ten = queries_for(planner_client, url)
    Site.objects.all().delete()
    make_sites(1000)
    with django_assert_max_num_queries(at_ten):
        response = planner_client.get(reverse("sites:site_list") + query)
    assert response.status_code == 200
    assert len(response.context["sites"]) > 0


@pytest.mark.django_db
def test_exports_read_a_fixed_number_of_queries(planner_client, django_assert_max_num_queries):
    make_sites(10)
    url = reverse("sites:site_export", args=["geojson"])
    at_ten = queries_for(planner_client, url)
    make_sites(500)
    for fmt in ("csv", "xlsx", "geojson"):
        with django_assert_max_num_queries(at_ten):
            planner_client.get(reverse("sites:site_export", args=[fmt]))
