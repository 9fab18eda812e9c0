"""Field visits: recorded by staff, limited to the committee's area, shown on the area page."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from surveys.models import FieldVisit
from tests.builders import make_responses, make_service_type, make_site, make_survey

pytestmark = pytest.mark.django_db


def test_planner_records_a_visit_with_needs(planner_client, planner, areas):
    canteen = make_service_type("canteen")
    page = planner_client.post(
        reverse("surveys:fieldvisit_create"),
        {
            "date": "2026-03-02",
            "area": str(areas[0].pk),
            "residents_count": "12",
            "notes": "座谈",
            "needs": [str(canteen.pk)],
        },
    )
    visit = FieldVisit.objects.get()
    assert page["Location"] == visit.get_absolute_url()
    assert visit.recorded_by == planner
    assert list(visit.needs.all()) == [canteen]
    assert planner_client.get(visit.get_absolute_url()).status_code == 200


def test_a_visit_needs_an_area_or_a_site(planner_client):
    page = planner_client.post(
        reverse("surveys:fieldvisit_create"), {"date": "2026-03-02", "residents_count": "1"}
    )
    assert page.status_code == 200
    assert not FieldVisit.objects.exists()


def test_a_site_fills_in_its_area(planner_client, areas):
    site = make_site(area=areas[1])
    planner_client.post(
        reverse("surveys:fieldvisit_create"),
        {"date": "2026-03-02", "site": str(site.pk), "residents_count": "4"},
    )
    assert FieldVisit.objects.get().area == areas[1]


def test_committee_records_visits_for_their_own_area_only(committee_client, areas):
    committee_client.post(
        reverse("surveys:fieldvisit_create"),
        {"date": "2026-03-02", "area": str(areas[1].pk), "residents_count": "5"},
    )
    assert FieldVisit.objects.get().area == areas[0]


def _render_panel(user, area) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load surveys_tags %}{% area_survey_panel area %}")
    return template.render(Context({"request": request, "area": area}))


def test_area_panel_shows_visits_and_response_counts(planner, areas, django_assert_max_num_queries):
    survey = make_survey(title="需求")
    make_responses(survey, 3, area=areas[0])
    make_responses(survey, 5, area=areas[1])
    FieldVisit.objects.create(date="2026-03-02", area=areas[0], residents_count=9, notes="n")
    with django_assert_max_num_queries(8):
        html = _render_panel(planner, areas[0])
    assert "需求" in html and "3" in html
    assert "2026-03-02" in html


def test_area_panel_hides_other_areas_from_committee(committee_user, areas):
    FieldVisit.objects.create(date="2026-03-02", area=areas[1], residents_count=9)
    assert "2026-03-02" not in _render_panel(committee_user, areas[1])
    assert "area-survey-panel" in _render_panel(committee_user, areas[0])
