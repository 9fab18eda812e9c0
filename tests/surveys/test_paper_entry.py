"""Paper entry: staff key in questionnaires one after another; committee staff only for their
own area."""

import pytest
from django.urls import reverse

from fenglin import roles
from surveys.models import Channel, Response, SurveyStatus
from tests.builders import make_full_survey, make_user, valid_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(areas):
    survey, qs = make_full_survey()
    return survey, qs


def test_planner_keys_in_questionnaires_one_after_another(planner_client, planner, setup, areas):
    survey, qs = setup
    entry = reverse("surveys:paper_entry", args=[survey.pk])
    html = planner_client.get(entry).content.decode()
    assert 'name="paper_reference"' in html and 'name="website"' not in html
    for number in ("P001", "P002"):
        data = valid_post(qs, areas[1], paper_reference=number)
        page = planner_client.post(entry, data)
        assert page.status_code == 302 and page["Location"] == entry
    stored = Response.objects.order_by("pk")
    assert [r.paper_reference for r in stored] == ["P001", "P002"]
    assert {r.channel for r in stored} == {Channel.PAPER}
    assert {r.entered_by for r in stored} == {planner}
    assert {r.area for r in stored} == {areas[1]}
    assert {r.client_hash for r in stored} == {""}


def test_paper_entry_validates_like_the_public_form(planner_client, setup, areas):
    survey, qs = setup
    data = valid_post(qs, areas[0], **{qs["rating"].field_name: "9"})
    page = planner_client.post(reverse("surveys:paper_entry", args=[survey.pk]), data)
    assert page.status_code == 200
    assert 'id="form-errors"' in page.content.decode()
    assert not Response.objects.exists()


def test_double_submit_of_one_paper_form_is_one_response(planner_client, setup, areas):
    survey, qs = setup
    data = valid_post(qs, areas[0])
    for _ in range(2):
        planner_client.post(reverse("surveys:paper_entry", args=[survey.pk]), data)
    assert Response.objects.count() == 1


def test_committee_entries_are_fixed_to_their_area(committee_client, setup, areas):
    survey, qs = setup
    entry = reverse("surveys:paper_entry", args=[survey.pk])
    html = committee_client.get(entry).content.decode()
    area_select = html[html.index(f'name="{qs["area"].field_name}"') :]
    area_select = area_select[: area_select.index("</select>")]
    assert areas[1].name not in area_select  # another area is not even offered
    assert areas[0].name in area_select
    data = valid_post(qs, areas[1])  # tries another area anyway
    assert committee_client.post(entry, data).status_code == 302
    assert Response.objects.get().area == areas[0]


def test_committee_without_an_area_cannot_enter(client, setup):
    survey, _qs = setup
    client.force_login(make_user("no-area", roles.COMMITTEE))
    assert client.get(reverse("surveys:paper_entry", args=[survey.pk])).status_code == 403


def test_viewer_cannot_enter_paper(client, viewer, setup):
    survey, _qs = setup
    client.force_login(viewer)
    assert client.get(reverse("surveys:paper_entry", args=[survey.pk])).status_code == 403


def test_no_paper_entry_for_a_draft(planner_client, setup):
    survey, _qs = setup
    survey.status = SurveyStatus.DRAFT
    survey.save()
    page = planner_client.get(reverse("surveys:paper_entry", args=[survey.pk]))
    assert page.status_code == 302
