import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from sites.models import Site, SiteStatus, SiteStatusChange
from tests.builders import make_site, make_site_service


def test_every_sites_model_is_in_the_admin():
    missing = [
        model.__name__
        for model in apps.get_app_config("sites").get_models()
        if not model.__name__.startswith("Historical") and not admin.site.is_registered(model)
    ]
    assert missing == []


@pytest.mark.django_db
def test_every_sites_admin_page_opens(admin_client):
    site = make_site()
    make_site_service(site)
    for model in apps.get_app_config("sites").get_models():
        if not admin.site.is_registered(model):
            continue
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert admin_client.get(changelist).status_code == 200, changelist
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        assert admin_client.get(add).status_code in (200, 403), add
    response = admin_client.get(reverse("admin:sites_site_change", args=[site.pk]))
    assert response.status_code == 200
    assert admin_client.get(reverse("admin:sites_site_history", args=[site.pk])).status_code == 200


@pytest.mark.django_db
def test_the_admin_has_the_point_picker_for_sites_areas_and_route_stops(admin_client):
    for name in ("sites_site_add", "sites_area_add", "sites_routestop_add"):
        content = admin_client.get(reverse(f"admin:{name}")).content.decode()
        assert 'id="id_point_map"' in content, name
        assert "js/point-picker.js" in content and "leaflet/leaflet.js" in content
    content = admin_client.get(reverse("admin:sites_walkingroute_add")).content.decode()
    assert 'data-lng-input="id_stops-__prefix__-longitude"' in content
    assert 'data-lat-name="stops-__prefix__-latitude"' in content


@pytest.mark.django_db
def test_the_admin_marks_unconfirmed_numbers(admin_client, english):
    content = admin_client.get(reverse("admin:sites_servicetype_changelist")).content.decode()
    assert "unconfirmed" in content


@pytest.mark.django_db
def test_status_changes_in_the_admin_follow_the_lifecycle_and_are_recorded(
    admin_client, admin_user
):
    site = make_site(status=SiteStatus.CANDIDATE, code="s1")
    url = reverse("admin:sites_site_change", args=[site.pk])
    data = {
        "name": site.name,
        "code": "s1",
        "address": site.address,
        "ownership": site.ownership,
        "latitude": "31.193000",
        "longitude": "121.455000",
        "status": "operating",
        "closed_reason": "",
        "services-TOTAL_FORMS": "0",
        "services-INITIAL_FORMS": "0",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    data["status"] = "selected"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert Site.objects.get(pk=site.pk).status == SiteStatus.SELECTED
    change = SiteStatusChange.objects.get(site=site)
    assert (change.from_status, change.to_status, change.changed_by) == (
        "candidate",
        "selected",
        admin_user,
    )


@pytest.mark.django_db
def test_status_records_are_read_only_in_the_admin(admin_client):
    site = make_site()
    change = SiteStatusChange.objects.create(site=site, to_status="operating")
    url = reverse("admin:sites_sitestatuschange_change", args=[change.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(reverse("admin:sites_sitestatuschange_add")).status_code == 403
