"""One site lifecycle and one save path: the status page, the admin and an import refuse the
same step with the same message, each step they allow writes exactly one status history row,
and none of them sets the hazard flags, which follow open inspection findings."""

import pytest
from django.test import Client
from django.urls import reverse

from sites.models import Site, SiteStatus
from tests.builders import make_site
from tests.sites.builders import csv_upload

IMPORT = reverse("sites:site_import")
IMPORT_HEADER = ["code", "name", "address", "latitude", "longitude", "status"]


@pytest.fixture
def admin_client(admin_user, settings):
    """Its own client, beside the planner's, both reading English."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(admin_user)
    return client


def admin_data(site: Site, **changes) -> dict:
    data = {
        "name": site.name,
        "code": site.code or "",
        "address": site.address,
        "ownership": site.ownership,
        "latitude": str(site.latitude),
        "longitude": str(site.longitude),
        "status": site.status,
        "closed_reason": site.closed_reason,
        "services-TOTAL_FORMS": "0",
        "services-INITIAL_FORMS": "0",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def move_in_admin(client, site: Site, status: str):
    url = reverse("admin:sites_site_change", args=[site.pk])
    return client.post(url, admin_data(site, status=status))


def move_on_status_page(client, site: Site, status: str):
    url = reverse("sites:site_status", args=[site.pk])
    return client.post(url, {"to_status": status, "reason": "Checked"})


def move_by_import(client, site: Site, status: str):
    row = [site.code, site.name, site.address, str(site.latitude), str(site.longitude), status]
    return client.post(IMPORT, {"file": csv_upload(IMPORT_HEADER, [row])})


def history(site: Site) -> list[tuple[str, str]]:
    return list(site.status_changes.values_list("from_status", "to_status"))


@pytest.mark.django_db
def test_the_same_illegal_step_is_refused_everywhere_with_the_same_message(
    admin_client, planner_client, english
):
    site = make_site(code="s1", status=SiteStatus.CANDIDATE)

    response = move_in_admin(admin_client, site, SiteStatus.OPERATING)
    assert response.status_code == 200
    [in_admin] = response.context["adminform"].form.errors["status"]

    response = move_on_status_page(planner_client, site, SiteStatus.OPERATING)
    assert response.status_code == 200
    [on_status_page] = response.context["form"].errors["to_status"]

    response = move_by_import(planner_client, site, SiteStatus.OPERATING)
    assert response.status_code == 200
    [error] = response.context["result"].errors
    assert (error.row, error.column) == (2, "status")

    assert in_admin == on_status_page == error.reason
    assert "Candidate" in in_admin and "Operating" in in_admin
    site.refresh_from_db()
    assert site.status == SiteStatus.CANDIDATE
    assert history(site) == []


@pytest.mark.django_db
@pytest.mark.parametrize("mover", [move_in_admin, move_on_status_page, move_by_import])
def test_each_allowed_step_writes_exactly_one_history_row(
    request, admin_client, planner_client, mover
):
    client = admin_client if mover is move_in_admin else planner_client
    user = request.getfixturevalue("admin_user" if mover is move_in_admin else "planner")
    site = make_site(code="s1", status=SiteStatus.CANDIDATE)
    response = mover(client, site, SiteStatus.SELECTED)
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.status == SiteStatus.SELECTED
    [change] = site.status_changes.all()
    assert (change.from_status, change.to_status, change.changed_by) == (
        SiteStatus.CANDIDATE,
        SiteStatus.SELECTED,
        user,
    )


@pytest.mark.django_db
def test_an_admin_edit_that_keeps_the_status_writes_no_history_row(admin_client):
    site = make_site(code="s1", status=SiteStatus.OPERATING)
    response = admin_client.post(
        reverse("admin:sites_site_change", args=[site.pk]), admin_data(site, name="Renamed")
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.name, history(site)) == ("Renamed", [])


@pytest.mark.django_db
def test_closing_in_the_admin_records_the_reason(admin_client):
    site = make_site(code="s1", status=SiteStatus.OPERATING)
    url = reverse("admin:sites_site_change", args=[site.pk])
    response = admin_client.post(url, admin_data(site, status="closed", closed_reason=""))
    assert "closed_reason" in response.context["adminform"].form.errors
    response = admin_client.post(url, admin_data(site, status="closed", closed_reason="Fire"))
    assert response.status_code == 302
    [change] = site.status_changes.all()
    assert (change.from_status, change.to_status, change.reason) == ("operating", "closed", "Fire")


@pytest.mark.django_db
def test_every_way_of_creating_a_site_records_its_first_status(admin_client, planner_client):
    new = {
        "name": "New",
        "address": "零陵路",
        "latitude": "31.190000",
        "longitude": "121.450000",
        "ownership": "other",
        "status": "selected",
    }
    assert planner_client.post(reverse("sites:site_create"), {**new, "code": "form"}).status_code
    admin_add = {**admin_data(Site(**new), code="admin"), "closed_reason": ""}
    assert admin_client.post(reverse("admin:sites_site_add"), admin_add).status_code == 302
    row = ["import", "New", "零陵路", "31.190000", "121.450000", "selected"]
    assert planner_client.post(IMPORT, {"file": csv_upload(IMPORT_HEADER, [row])}).status_code
    for code in ("form", "admin", "import"):
        assert history(Site.objects.get(code=code)) == [("", "selected")], code


@pytest.mark.django_db
def test_a_status_step_is_a_model_method_that_records_who_and_why(planner):
    site = make_site(status=SiteStatus.BUILDING)
    change = site.move_to(SiteStatus.OPERATING, reason="Opened", user=planner)
    site.refresh_from_db()
    assert site.status == SiteStatus.OPERATING
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        SiteStatus.BUILDING,
        SiteStatus.OPERATING,
        "Opened",
        planner,
    )
    assert site.next_statuses() == {SiteStatus.CLOSED}


@pytest.mark.django_db
def test_hazard_flags_are_read_only_in_the_admin(admin_client):
    site = make_site(code="s1", hazard_fire=True)
    url = reverse("admin:sites_site_change", args=[site.pk])
    page = admin_client.get(url)
    assert not {"hazard_fire", "hazard_building", "hazard_food"} & set(
        page.context["adminform"].form.fields
    )
    assert "fire hazard" in page.content.decode().lower()
    data = admin_data(site, hazard_fire="", hazard_food="on", name="Renamed")
    assert admin_client.post(url, data).status_code == 302
    site.refresh_from_db()
    assert (site.name, site.hazard_fire, site.hazard_food) == ("Renamed", True, False)
