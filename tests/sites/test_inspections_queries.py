"""Schedules and safety pages read a fixed number of queries, however many sites,
inspections and findings there are."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scenarios import reviews
from sites.models import Area, ServiceType, Site, SiteService, SiteStatus
from sites.safety import schedules
from sites.safety import selectors as safety_selectors
from sites.safety.models import Finding, Inspection

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 15)


def build(sites: int, per_site: int) -> None:
    """Operating sites, a third with a canteen (food checks), each inspected `per_site` times,
    every fifth inspection with an open finding."""
    Inspection.objects.all().delete()
    Site.objects.all().delete()
    Area.objects.all().delete()
    Area.objects.bulk_create(
        Area(
            name=f"A{i}",
            code=f"q-{i}",
            centroid_lat=f"31.19{i % 10}000",
            centroid_lng="121.450000",
            population_total=1000 + i,
        )
        for i in range(max(3, sites // 5))
    )
    created = Site.objects.bulk_create(
        Site(
            name=f"Site {i}",
            address="零陵路",
            latitude=f"31.19{i % 10}000",
            longitude=f"121.45{i % 7}000",
            status=SiteStatus.OPERATING,
            visitors_per_month=100 * i,
        )
        for i in range(sites)
    )
    types = {t.code: t for t in ServiceType.objects.filter(code__in=["canteen", "fitness"])}
    SiteService.objects.bulk_create(
        SiteService(site=site, service_type=types["canteen" if i % 3 == 0 else "fitness"])
        for i, site in enumerate(created)
    )
    records = Inspection.objects.bulk_create(
        Inspection(
            site=site,
            kind=("fire", "building", "food")[j % 3],
            mode=("self", "joint")[j % 2],
            date=TODAY - timedelta(days=9 * j),
            inspectors="Wang",
            result="rectify" if j % 5 == 0 else "pass",
        )
        for site in created
        for j in range(per_site)
    )
    Finding.objects.bulk_create(
        Finding(
            inspection=inspection,
            description="Finding",
            rectify_by=inspection.date + timedelta(days=20),
        )
        for inspection in records
        if inspection.result == "rectify"
    )


def count(func) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)


READS = {
    "schedule": lambda client: schedules.schedule(today=TODAY),
    "dashboard": lambda client: safety_selectors.dashboard(today=TODAY),
    "review": lambda client: reviews.subtraction_review(today=TODAY),
    "export": lambda client: safety_selectors.export_rows(safety_selectors.inspection_records()),
}


@pytest.mark.parametrize("name", list(READS))
def test_selectors_read_a_fixed_number_of_queries(name, django_assert_max_num_queries):
    read = READS[name]
    build(sites=4, per_site=3)
    small = count(lambda: read(None))
    build(sites=60, per_site=25)
    with django_assert_max_num_queries(small):
        read(None)


PAGES = [
    "sites:safety_dashboard",
    "sites:monthly_review",
    "sites:subtraction_review",
    ("sites:safety_export", "csv"),
    ("sites:safety_export", "xlsx"),
]


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_pages_read_a_fixed_number_of_queries(planner_client, page, django_assert_max_num_queries):
    name, args = (page, []) if isinstance(page, str) else (page[0], [page[1]])
    build(sites=4, per_site=3)
    small = count(lambda: planner_client.get(reverse(name, args=args)))
    build(sites=60, per_site=25)
    with django_assert_max_num_queries(small):
        response = planner_client.get(reverse(name, args=args))
    assert response.status_code == 200


def test_a_site_page_reads_a_fixed_number_of_queries(planner_client, django_assert_max_num_queries):
    build(sites=2, per_site=3)
    site = Site.objects.order_by("pk").first()
    small = count(lambda: planner_client.get(reverse("sites:site_safety", args=[site.pk])))
    build(sites=2, per_site=60)
    site = Site.objects.order_by("pk").first()
    with django_assert_max_num_queries(small):
        response = planner_client.get(reverse("sites:site_safety", args=[site.pk]))
    assert len(response.context["safety"].records) == 60
