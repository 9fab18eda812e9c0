"""Sites, scenarios and surveys are archived, not deleted: a confirmation first, hidden from
their list afterwards (unless asked for), a history row, and an undo that brings them back."""

import pytest
from django.urls import reverse

from scenarios.models import Scenario
from sites.models import Site
from surveys.models import Survey, SurveyStatus
from tests.builders import make_scenario, make_site, make_survey

pytestmark = pytest.mark.django_db

KINDS = {
    "site": (make_site, "sites:site_archive", "sites:site_restore", "sites:site_list"),
    "scenario": (
        make_scenario,
        "scenarios:scenario_archive",
        "scenarios:scenario_restore",
        "scenarios:index",
    ),
    "survey": (
        lambda: make_survey(title="Closed survey", status=SurveyStatus.CLOSED),
        "surveys:survey_archive",
        "surveys:survey_restore",
        "surveys:survey_list",
    ),
}


def listed(client, list_url: str, record, query: str = "") -> bool:
    html = client.get(list_url + query).content.decode()
    return f'href="{record.get_absolute_url()}"' in html


@pytest.fixture
def staff(admin_client):
    return admin_client


@pytest.mark.parametrize("kind", KINDS)
def test_the_confirmation_page_asks_first_and_changes_nothing(staff, kind):
    make, archive, _restore, _list = KINDS[kind]
    record = make()
    response = staff.get(reverse(archive, args=[record.pk]))
    assert response.status_code == 200
    assert 'id="confirm-archive"' in response.content.decode()
    record.refresh_from_db()
    assert record.archived_at is None


@pytest.mark.parametrize("kind", KINDS)
def test_archiving_hides_from_the_list_and_undo_restores(staff, kind):
    make, archive, restore, list_name = KINDS[kind]
    record = make()
    list_url = reverse(list_name)
    assert listed(staff, list_url, record)

    response = staff.post(reverse(archive, args=[record.pk]))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.archived_at is not None
    assert not listed(staff, list_url, record)
    assert listed(staff, list_url, record, "?archived=on")

    after = staff.get(response["Location"]).content.decode()
    undo_url = reverse(restore, args=[record.pk])
    assert f'action="{undo_url}"' in after and 'id="undo-archive"' in after

    staff.post(undo_url)
    record.refresh_from_db()
    assert record.archived_at is None
    assert listed(staff, list_url, record)


@pytest.mark.parametrize("kind", KINDS)
def test_the_history_says_who_archived_and_restored(staff, admin_user, kind):
    make, archive, restore, _list = KINDS[kind]
    record = make()
    staff.post(reverse(archive, args=[record.pk]))
    staff.post(reverse(restore, args=[record.pk]))
    reasons = list(
        record.history.order_by("history_date").values_list("history_change_reason", flat=True)
    )
    assert reasons[-2:] == ["archived", "restored"]
    assert record.history.latest().history_user == admin_user


def test_an_open_survey_is_not_archived_and_the_page_says_why(staff):
    survey = make_survey(status=SurveyStatus.OPEN)
    response = staff.post(reverse("surveys:survey_archive", args=[survey.pk]))
    assert response.status_code == 400
    assert 'id="archive-errors"' in response.content.decode()
    survey.refresh_from_db()
    assert survey.archived_at is None


def test_an_archived_site_is_left_out_of_plans_but_its_page_still_opens(staff):
    site = make_site()
    assert Site.objects.operating().filter(pk=site.pk).exists()
    staff.post(reverse("sites:site_archive", args=[site.pk]))
    assert not Site.objects.operating().filter(pk=site.pk).exists()
    page = staff.get(site.get_absolute_url())
    assert page.status_code == 200
    assert 'id="archived-note"' in page.content.decode()


def test_archiving_twice_or_restoring_what_is_not_archived_is_a_404(staff):
    scenario = make_scenario()
    assert staff.post(reverse("scenarios:scenario_restore", args=[scenario.pk])).status_code == 404
    staff.post(reverse("scenarios:scenario_archive", args=[scenario.pk]))
    assert staff.post(reverse("scenarios:scenario_archive", args=[scenario.pk])).status_code == 404
    assert Scenario.objects.filter(pk=scenario.pk).exists()
    assert Survey.objects.count() == 0


def test_a_viewer_cannot_archive(viewer_client):
    site = make_site()
    response = viewer_client.post(reverse("sites:site_archive", args=[site.pk]))
    assert response.status_code in (302, 403)
    site.refresh_from_db()
    assert site.archived_at is None
