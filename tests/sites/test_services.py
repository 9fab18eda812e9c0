import pytest
from django.core.exceptions import ValidationError

from sites import services
from sites.models import Site, SiteStatus, SiteStatusChange
from tests.builders import make_site


@pytest.mark.django_db
def test_a_status_change_is_recorded_with_who_and_why(planner):
    site = make_site(status=SiteStatus.CANDIDATE)
    change = services.change_site_status(
        site=site, to_status=SiteStatus.SELECTED, reason="Good spread", user=planner
    )
    site.refresh_from_db()
    assert site.status == SiteStatus.SELECTED
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        SiteStatus.CANDIDATE,
        SiteStatus.SELECTED,
        "Good spread",
        planner,
    )
    assert change.changed_at is not None


@pytest.mark.django_db
def test_a_step_the_lifecycle_does_not_allow_is_refused_and_nothing_changes(planner):
    site = make_site(status=SiteStatus.CANDIDATE)
    with pytest.raises(ValidationError) as info:
        services.change_site_status(
            site=site, to_status=SiteStatus.OPERATING, reason="", user=planner
        )
    assert "to_status" in info.value.message_dict
    site.refresh_from_db()
    assert site.status == SiteStatus.CANDIDATE
    assert not SiteStatusChange.objects.filter(site=site).exists()


@pytest.mark.django_db
def test_closing_needs_a_reason(planner):
    site = make_site(status=SiteStatus.OPERATING)
    with pytest.raises(ValidationError) as info:
        services.change_site_status(
            site=site, to_status=SiteStatus.CLOSED, reason=" ", user=planner
        )
    assert "reason" in info.value.message_dict
    services.change_site_status(
        site=site, to_status=SiteStatus.CLOSED, reason="Fire hazard", user=planner
    )
    site.refresh_from_db()
    assert (site.status, site.closed_reason) == (SiteStatus.CLOSED, "Fire hazard")


@pytest.mark.django_db
def test_reopening_keeps_the_closing_reason_in_the_history(planner):
    site = make_site(status=SiteStatus.CLOSED, closed_reason="Fire hazard")
    services.change_site_status(site=site, to_status=SiteStatus.CANDIDATE, reason="", user=planner)
    site.refresh_from_db()
    assert site.closed_reason == ""
    services.change_site_status(
        site=site, to_status=SiteStatus.CLOSED, reason="Again", user=planner
    )
    assert list(site.status_changes.values_list("reason", flat=True)) == ["Again", ""]


@pytest.mark.django_db
def test_creating_a_site_records_its_first_status(planner):
    site = Site(name="New", address="x", latitude=31.19, longitude=121.45, status="selected")
    services.create_site(site=site, user=planner)
    change = site.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("", "selected", planner)
