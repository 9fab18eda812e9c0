"""Travel times are measured once per change, in the background, and pages read them."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from scenarios import travel
from sites import travel as sites_travel
from sites.models import Site
from tests.builders import make_area, make_service_type, make_site, make_site_service

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def street(db):
    cache.clear()
    canteen = make_service_type("canteen", threshold_m=500)
    area = make_area(code="t-warm", centroid_lat=Decimal("31.193"), centroid_lng=Decimal("121.455"))
    site = make_site(area=area, latitude=Decimal("31.194"), longitude=Decimal("121.456"))
    make_site_service(site, canteen)
    return area


def queued_warmings() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path="scenarios.tasks.warm_travel_times").count()


# Committed for real (transaction=True), as in production: the warming waits for the commit.
@pytest.mark.django_db(transaction=True)
def test_sixty_sites_saved_in_one_transaction_enqueue_one_warming(settings):
    settings.TASKS = DATABASE_TASKS
    with transaction.atomic():
        for i in range(60):
            make_site(name=f"Import {i}", latitude=Decimal("31.19"), longitude=Decimal("121.45"))
        assert queued_warmings() == 0  # not before the commit
    assert queued_warmings() == 1


@pytest.mark.django_db(transaction=True)
def test_moving_a_site_enqueues_a_warming_and_a_rollback_none(settings):
    settings.TASKS = DATABASE_TASKS
    site = make_site(latitude=Decimal("31.19"), longitude=Decimal("121.45"))
    assert queued_warmings() == 1
    site.latitude = Decimal("31.195")
    site.save()
    assert queued_warmings() == 2
    with pytest.raises(RuntimeError), transaction.atomic():
        site.latitude = Decimal("31.196")
        site.save()
        raise RuntimeError("rolled back")
    assert queued_warmings() == 2


def measuring_forbidden(*args, **kwargs):
    raise AssertionError("the page measured walks instead of reading the cached ones")


def test_after_warming_the_planning_pages_measure_nothing(planner_client, street, monkeypatch):
    travel.warm()
    monkeypatch.setattr(sites_travel, "walking_pairs", measuring_forbidden)
    for url in (
        reverse("scenarios:gaps"),
        reverse("scenarios:coverage_detail", args=["canteen"]),
        street.get_absolute_url(),
    ):
        assert planner_client.get(url).status_code == 200


def test_without_warming_the_first_page_measures(planner_client, street, monkeypatch):
    monkeypatch.setattr(sites_travel, "walking_pairs", measuring_forbidden)
    with pytest.raises(AssertionError, match="measured walks"):
        planner_client.get(reverse("scenarios:gaps"))


@pytest.mark.django_db(transaction=True)
def test_an_import_of_sites_in_bulk_enqueues_one_warming(settings):
    from sites.services import create_sites

    settings.TASKS = DATABASE_TASKS
    sites = [
        Site(name=f"Imported {i}", latitude=Decimal("31.19"), longitude=Decimal("121.45"))
        for i in range(5)
    ]
    create_sites(sites=sites, user=None)
    assert queued_warmings() == 1
