"""Findings changed in the admin move the hazard flags as the safety pages do."""

from datetime import date

import pytest
from django.urls import reverse

from sites.models import Site
from sites.safety.models import Inspection
from tests.builders import make_open_finding, make_site

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 15)
# A joint fire check on 1 June whose finding is due by the end of the month.
JUNE_JOINT_CHECK = {
    "on": date(2025, 6, 1),
    "due": date(2025, 6, 30),
    "mode": "joint",
    "today": TODAY,
}


def test_closing_a_finding_in_the_admin_lowers_the_flag(admin_client):
    site = make_site()
    finding = make_open_finding(site, **JUNE_JOINT_CHECK)
    assert Site.objects.get(pk=site.pk).hazard_fire
    response = admin_client.post(
        reverse("admin:sites_finding_change", args=[finding.pk]),
        {
            "inspection": finding.inspection_id,
            "description": finding.description,
            "rectify_by": "2025-06-30",
            "closed_on": "2025-06-10",
            "closure_notes": "Cleared",
        },
    )
    assert response.status_code == 302
    assert not Site.objects.get(pk=site.pk).hazard_fire


def test_deleting_an_inspection_in_the_admin_lowers_the_flag(admin_client):
    site = make_site()
    finding = make_open_finding(site, **JUNE_JOINT_CHECK)
    url = reverse("admin:sites_inspection_delete", args=[finding.inspection_id])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Inspection.objects.filter(pk=finding.inspection_id).exists()
    assert not Site.objects.get(pk=site.pk).hazard_fire


def test_deleting_findings_in_bulk_in_the_admin_lowers_the_flag(admin_client):
    site = make_site()
    finding = make_open_finding(site, **JUNE_JOINT_CHECK)
    response = admin_client.post(
        reverse("admin:sites_finding_changelist"),
        {"action": "delete_selected", "_selected_action": [finding.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Site.objects.get(pk=site.pk).hazard_fire
