"""The one committee scope: committee staff see their own area's sites, responses, visits and
inspections only; committee staff without an area see none; planners and viewers see all."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.urls import reverse

from fenglin import roles
from fenglin.access import scope_for
from sites.safety import services as safety_services
from sites.safety.schedules import shanghai_today
from surveys.models import FieldVisit
from tests.builders import make_area, make_responses, make_site, make_survey, make_user
from tests.sites.builders import read_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    east = make_area(name="East", code="east")
    west = make_area(name="West", code="west")
    survey = make_survey(status="open")
    (east_response,) = make_responses(survey, 1, area=east)
    (west_response,) = make_responses(survey, 1, area=west)
    (nowhere_response,) = make_responses(survey, 1, area=None)
    return {
        "east": east,
        "west": west,
        "east_site": make_site(name="East box", area=east),
        "west_site": make_site(name="West box", area=west),
        "survey": survey,
        "responses": {"east": east_response, "west": west_response, "none": nowhere_response},
        "visits": {
            "east": FieldVisit.objects.create(date="2026-03-02", area=east, residents_count=3),
            "west": FieldVisit.objects.create(date="2026-03-03", area=west, residents_count=4),
        },
    }


def _login(client, user):
    client.force_login(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _also(user, role):
    user.groups.add(Group.objects.get(name=role))
    return user


# --- Who is limited ------------------------------------------------------------------------


def test_scope_rules(world):
    east = world["east"]
    committee = scope_for(make_user("c-east", roles.COMMITTEE, area=east))
    assert committee.limited and committee.area == east
    assert committee.allows(east) and not committee.allows(world["west"])

    homeless = scope_for(make_user("c-none", roles.COMMITTEE))
    assert homeless.nothing and not homeless.allows(east) and not homeless.allows(None)

    for user in (
        make_user("planner", roles.PLANNERS),
        make_user("viewer", roles.VIEWERS),
        make_user("root", superuser=True),
        # A planner who also sits on a committee plans for the whole street.
        _also(make_user("both", roles.COMMITTEE, area=east), roles.PLANNERS),
    ):
        scope = scope_for(user)
        assert not scope.limited and scope.allows(east) and scope.allows(world["west"])


# --- Sites ---------------------------------------------------------------------------------


def test_committee_user_sees_only_their_areas_sites(client, world):
    _login(client, make_user("c-east", roles.COMMITTEE, area=world["east"]))
    listing = client.get(reverse("sites:site_list"))
    assert [s.pk for s in listing.context["sites"]] == [world["east_site"].pk]
    assert client.get(reverse("sites:site_detail", args=[world["east_site"].pk])).status_code == 200
    assert client.get(reverse("sites:site_detail", args=[world["west_site"].pk])).status_code == 404
    exported = read_csv(client.get(reverse("sites:site_export", args=["csv"])).content)
    assert "West box" not in {cell for row in exported for cell in row}
    assert "East box" in {cell for row in exported for cell in row}


def test_committee_user_without_an_area_sees_no_sites(client, world):
    _login(client, make_user("c-none", roles.COMMITTEE))
    assert list(client.get(reverse("sites:site_list")).context["sites"]) == []
    assert client.get(reverse("sites:site_detail", args=[world["east_site"].pk])).status_code == 404


def test_planner_sees_every_site(client, world):
    _login(client, make_user("planner", roles.PLANNERS))
    listing = client.get(reverse("sites:site_list"))
    assert {s.pk for s in listing.context["sites"]} == {
        world["east_site"].pk,
        world["west_site"].pk,
    }


# --- Responses and field visits ------------------------------------------------------------


def _listed_responses(client, survey) -> set[int]:
    page = client.get(reverse("surveys:response_list", args=[survey.pk])).context["page"]
    return {r.pk for r in page.object_list}


def test_committee_user_sees_only_their_areas_responses_and_visits(client, world):
    _login(client, make_user("c-east", roles.COMMITTEE, area=world["east"]))
    survey, responses = world["survey"], world["responses"]
    assert _listed_responses(client, survey) == {responses["east"].pk}
    west = reverse("surveys:response_detail", args=[survey.pk, responses["west"].pk])
    assert client.get(west).status_code == 404
    visits = client.get(reverse("surveys:fieldvisit_list")).context["page"].object_list
    assert [v.pk for v in visits] == [world["visits"]["east"].pk]


def test_committee_user_without_an_area_sees_no_responses_not_even_arealess_ones(client, world):
    _login(client, make_user("c-none", roles.COMMITTEE))
    survey, responses = world["survey"], world["responses"]
    assert _listed_responses(client, survey) == set()
    nowhere = reverse("surveys:response_detail", args=[survey.pk, responses["none"].pk])
    assert client.get(nowhere).status_code == 404
    assert list(client.get(reverse("surveys:fieldvisit_list")).context["page"].object_list) == []
    assert client.get(reverse("surveys:survey_detail", args=[survey.pk])).context[
        "response_count"
    ] == (0)


def test_planner_sees_every_response_and_visit(client, world):
    _login(client, make_user("planner", roles.PLANNERS))
    assert _listed_responses(client, world["survey"]) == {r.pk for r in world["responses"].values()}
    visits = client.get(reverse("surveys:fieldvisit_list")).context["page"].object_list
    assert {v.pk for v in visits} == {v.pk for v in world["visits"].values()}


# --- Inspections ---------------------------------------------------------------------------


def _inspect(site):
    today = shanghai_today()
    return safety_services.record_inspection(
        site=site,
        kind="fire",
        mode="self",
        date=today - timedelta(days=1),
        inspectors=f"Inspector of {site.name}",
        result="pass",
        findings=[],
    )


def test_committee_inspector_sees_only_their_areas_inspections(client, world):
    east_inspection = _inspect(world["east_site"])
    west_inspection = _inspect(world["west_site"])
    user = _also(make_user("c-east", roles.COMMITTEE, area=world["east"]), roles.INSPECTORS)
    _login(client, user)
    detail = "sites:inspection_detail"
    assert client.get(reverse(detail, args=[east_inspection.pk])).status_code == 200
    assert client.get(reverse(detail, args=[west_inspection.pk])).status_code == 404
    record = "sites:site_safety"
    assert client.get(reverse(record, args=[world["west_site"].pk])).status_code == 404
    cells = {
        c
        for row in read_csv(client.get(reverse("sites:safety_export", args=["csv"])).content)
        for c in row
    }
    assert "Inspector of East box" in cells and "Inspector of West box" not in cells


def test_inspector_sees_every_inspection(client, world):
    _inspect(world["east_site"])
    _inspect(world["west_site"])
    _login(client, make_user("inspector", roles.INSPECTORS))
    content = client.get(reverse("sites:safety_export", args=["csv"])).content
    cells = {c for row in read_csv(content) for c in row}
    assert {"Inspector of East box", "Inspector of West box"} <= cells
