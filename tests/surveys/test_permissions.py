"""Every staff page of the surveys app needs login and the right permission; committee staff
see only their own area's responses."""

import pytest
from django.urls import reverse

from surveys.models import FieldVisit
from tests.builders import make_full_survey, make_responses, make_survey, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(areas, planner):
    survey, qs = make_full_survey()
    east, west = areas
    (east_response,) = make_responses(survey, 1, area=east)
    (west_response,) = make_responses(survey, 1, area=west)
    visit = FieldVisit.objects.create(date="2026-03-02", area=west, residents_count=3)
    return {
        "survey": survey,
        "question": qs["single"],
        "east_response": east_response,
        "west_response": west_response,
        "visit": visit,
    }


def staff_urls(o) -> dict[str, tuple[str, str]]:
    """name -> (url, permission needed to GET it)."""
    s = o["survey"].pk
    return {
        "survey_list": (reverse("surveys:survey_list"), "view"),
        "survey_create": (reverse("surveys:survey_create"), "add"),
        "survey_detail": (reverse("surveys:survey_detail", args=[s]), "view"),
        "survey_edit": (reverse("surveys:survey_edit", args=[s]), "change"),
        "survey_preview": (reverse("surveys:survey_preview", args=[s]), "view"),
        "survey_results": (reverse("surveys:survey_results", args=[s]), "view"),
        "export_csv": (reverse("surveys:survey_export_csv", args=[s]), "view"),
        "export_xlsx": (reverse("surveys:survey_export_xlsx", args=[s]), "view"),
        "paper_entry": (reverse("surveys:paper_entry", args=[s]), "paper"),
        "response_list": (reverse("surveys:response_list", args=[s]), "view"),
        "response_detail": (
            reverse("surveys:response_detail", args=[s, o["east_response"].pk]),
            "view",
        ),
        "question_create": (reverse("surveys:question_create", args=[s]), "change"),
        "question_edit": (reverse("surveys:question_edit", args=[o["question"].pk]), "change"),
        "fieldvisit_list": (reverse("surveys:fieldvisit_list"), "view"),
        "fieldvisit_create": (reverse("surveys:fieldvisit_create"), "visit"),
    }


def test_anonymous_is_sent_to_login_everywhere(client, objects):
    for name, (url, _perm) in staff_urls(objects).items():
        page = client.get(url)
        assert page.status_code == 302, name
        assert "/accounts/login/" in page["Location"], name


@pytest.mark.parametrize("post_name", ["status", "remove", "restore", "move"])
def test_anonymous_and_viewer_cannot_change(client, viewer, objects, post_name):
    q = objects["question"].pk
    url = {
        "status": reverse("surveys:survey_status", args=[objects["survey"].pk]),
        "remove": reverse("surveys:question_remove", args=[q]),
        "restore": reverse("surveys:question_restore", args=[q]),
        "move": reverse("surveys:question_move", args=[q]),
    }[post_name]
    assert client.post(url, {"status": "closed", "direction": "up"}).status_code == 302
    client.force_login(viewer)
    assert client.post(url, {"status": "closed", "direction": "up"}).status_code == 403
    objects["survey"].refresh_from_db()
    assert objects["survey"].status == "open"


ALLOWED = {
    "planners": {"view", "add", "change", "paper", "visit"},
    "viewers": {"view"},
    "inspectors": set(),
    "committee": {"view", "paper", "visit"},
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_each_role_opens_exactly_its_pages(client, objects, areas, role):
    user = make_user(f"user-{role}", role, area=areas[0] if role == "committee" else None)
    client.force_login(user)
    for name, (url, perm) in staff_urls(objects).items():
        status = client.get(url).status_code
        if perm in ALLOWED[role]:
            assert status == 200, (role, name, status)
        else:
            assert status == 403, (role, name, status)


def test_committee_never_sees_another_areas_responses(committee_client, objects, areas):
    s = objects["survey"].pk
    other = reverse("surveys:response_detail", args=[s, objects["west_response"].pk])
    assert committee_client.get(other).status_code == 404
    listing = committee_client.get(reverse("surveys:response_list", args=[s])).content.decode()
    assert objects["east_response"].get_absolute_url() in listing
    assert objects["west_response"].get_absolute_url() not in listing
    results = committee_client.get(
        reverse("surveys:survey_results", args=[s]) + f"?area={areas[1].pk}"
    )
    assert 'id="total-responses">1<' in results.content.decode()
    assert "West" not in results.content.decode().split('id="area-table"')[1]
    visit = reverse("surveys:fieldvisit_detail", args=[objects["visit"].pk])
    assert committee_client.get(visit).status_code == 404


def test_committee_does_not_see_draft_surveys(committee_client, objects):
    draft = make_survey(status="draft")
    assert (
        committee_client.get(reverse("surveys:survey_detail", args=[draft.pk])).status_code == 404
    )
