"""The monthly review and the subtraction review's reasons on a small case built by hand.

Distances are in a straight line; a walk is the straight line × DETOUR_FACTOR (1.3), so the
300 m walking threshold of every service here reaches 231 m in a straight line.

Two areas 500 m apart, P (3,000 residents, 900 elderly) and Q (2,000, 800 elderly), a small
one R between them (300, 100 elderly; 278 m from P, 222 m from Q), and:
- Hub at P's centre: health station and committee office;
- Twin 56 m from Hub towards R (222 m from R): a health station only, rated 2/5 five times;
- Canteen at Q's centre and Day care 36 m from it (202 m from R): both serve only the elderly;
- Hazard, far from both areas: outdoor fitness, with an open fire finding;
- a closed site with a health station at P, which covers nobody.
"""

from datetime import date

import pytest
from django.utils import translation

from scenarios.reviews import SiteReview, monthly_review, review_reasons, subtraction_review
from sites import services as site_services
from sites.models import ServiceType, Site, SiteService, SiteStatus
from sites.safety import services as safety_services
from siting.constants import DETOUR_FACTOR
from siting.geometry import haversine_m
from surveys.models import Answer, Choice, Question, Response, Survey
from tests.builders import (
    make_area,
    make_open_finding,
    make_service_type,
    make_site,
    make_site_service,
)

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 15)


def rate(site, *numbers):
    survey, _ = Survey.objects.get_or_create(slug="ratings", defaults={"title": "Ratings"})
    question, _ = Question.objects.get_or_create(
        survey=survey, kind="rating", defaults={"text": "How satisfied are you?"}
    )
    choice = Choice.objects.create(question=question, label=site.name, site=site)
    for number in numbers:
        response = Response.objects.create(survey=survey)
        Answer.objects.create(response=response, question=question, choice=choice, number=number)


@pytest.fixture
def case():
    types = {
        code: make_service_type(code)
        for code in ("health_station", "committee_office", "canteen", "elderly_day_care")
    }
    types["fitness"] = make_service_type("fitness")
    assert {t.threshold_m for t in types.values()} == {300}
    make_area(
        name="P",
        code="p",
        centroid_lat="31.190000",
        centroid_lng="121.450000",
        population_total=3000,
        population_elderly=900,
    )
    make_area(
        name="Q",
        code="q",
        centroid_lat="31.194500",
        centroid_lng="121.450000",
        population_total=2000,
        population_elderly=800,
    )

    make_area(
        name="R",
        code="r",
        centroid_lat="31.192500",
        centroid_lng="121.450000",
        population_total=300,
        population_elderly=100,
    )

    def site(name, lat, lng, *codes, **kwargs):
        obj = make_site(name=name, latitude=lat, longitude=lng, **kwargs)
        for code in codes:
            make_site_service(obj, types[code])
        return obj

    sites = {
        "hub": site("Hub", "31.190000", "121.450000", "health_station", "committee_office"),
        "twin": site("Twin", "31.190500", "121.450000", "health_station"),
        "canteen": site("Canteen", "31.194500", "121.450000", "canteen"),
        "day_care": site("Day care", "31.194300", "121.450300", "elderly_day_care"),
        "hazard": site("Hazard", "31.200000", "121.460000", "fitness"),
        "closed": site(
            "Closed",
            "31.190000",
            "121.450100",
            "health_station",
            status=SiteStatus.CLOSED,
            closed_reason="Merged",
        ),
    }
    make_open_finding(
        sites["hazard"],
        on=date(2025, 6, 1),
        due=date(2025, 6, 30),
        mode="joint",
        result="fail",
        today=TODAY,
    )
    rate(sites["twin"], 2, 2, 2, 2, 2)
    rate(sites["hub"], 5, 5, 4, 5, 5)
    rate(sites["canteen"], 1, 1)  # too few ratings to say anything
    return sites


def reviews_by_name(reviews):
    return {r.site.name: r for r in reviews}


def test_monthly_review_lists_operating_sites_with_their_figures(case):
    reviews = reviews_by_name(monthly_review(today=TODAY))
    assert set(reviews) == {"Hub", "Twin", "Canteen", "Day care", "Hazard"}
    assert reviews["Twin"].satisfaction == pytest.approx(2.0)
    assert reviews["Twin"].ratings == 5
    assert reviews["Hub"].satisfaction == pytest.approx(4.8)
    assert reviews["Day care"].satisfaction is None
    assert reviews["Hazard"].open_findings == {"fire": 1}
    assert reviews["Hub"].open_findings_total == 0
    # Never inspected, in June: nothing is overdue yet.
    assert all(r.overdue_checks == 0 for r in reviews.values())


def test_coverage_counts_only_residents_no_other_operating_site_covers(case):
    reviews = reviews_by_name(monthly_review(today=TODAY))
    # Hub's health station shares P with Twin (the closed site does not count); its
    # committee office is P's only one.
    assert reviews["Hub"].coverage == 3000
    assert [(t.code, n) for t, n in reviews["Hub"].coverage_by_service] == [
        ("committee_office", 3000)
    ]
    # R lies within a 300 m walk of Twin (222 m × 1.3 = 289 m) but not of Hub (278 m × 1.3).
    assert reviews["Twin"].coverage == 300
    assert [(t.code, n) for t, n in reviews["Twin"].coverage_by_service] == [
        ("health_station", 300)
    ]
    # Canteen and Day care each cover Q and R for their own service: by the elderly per
    # service, by everyone in total.
    assert reviews["Canteen"].coverage == 2300
    assert [(t.code, n) for t, n in reviews["Canteen"].coverage_by_service] == [("canteen", 900)]
    assert reviews["Hazard"].coverage == 0 and reviews["Hazard"].has_standard


def test_the_neighbour_that_takes_over_shares_services_and_is_nearest(case):
    reviews = reviews_by_name(monthly_review(today=TODAY))
    assert reviews["Twin"].neighbour.name == "Hub"
    assert reviews["Twin"].neighbour_m == pytest.approx(55.6 * DETOUR_FACTOR, abs=1)
    assert reviews["Hub"].neighbour.name == "Twin"
    assert reviews["Canteen"].neighbour is None  # no other canteen
    assert reviews["Canteen"].merge_with.name == "Day care"
    assert reviews["Canteen"].merge_m == pytest.approx(36 * DETOUR_FACTOR, abs=2)


def test_subtraction_review_gives_each_site_its_reasons(case):
    with translation.override("en"):
        listed = subtraction_review(today=TODAY)
    reasons = {r.site.name: r.reason_codes for r in listed}
    assert reasons == {
        "Hazard": ["fire_hazard"],
        "Twin": ["low_satisfaction", "small_coverage"],
        "Canteen": ["narrow_group", "merge"],
        "Day care": ["narrow_group", "merge"],
    }
    # Hazards first, then the most reasons, then the least coverage lost.
    assert [r.site.name for r in listed] == ["Hazard", "Twin", "Canteen", "Day care"]
    texts = {r.site.name: [reason.text for reason in r.reasons] for r in listed}
    assert "leave 300 residents" in texts["Twin"][1]
    assert f"Hub, {round(55.6 * DETOUR_FACTOR)} m away" in texts["Twin"][1]
    assert "2.0 out of 5 from 5 ratings" in texts["Twin"][0]
    assert "Elderly" in texts["Canteen"][0]
    assert "Day care" in texts["Canteen"][1]
    assert "1 open finding" in texts["Hazard"][0]


def test_closing_the_hazard_removes_the_reason(case):
    finding = case["hazard"].inspections.get().findings.get()
    safety_services.close_finding(
        finding=finding, closed_on=date(2025, 6, 10), closure_notes="Exits cleared", today=TODAY
    )
    listed = subtraction_review(today=TODAY)
    assert "Hazard" not in {r.site.name for r in listed}


def test_min_reasons_narrows_the_list(case):
    listed = subtraction_review(today=TODAY, min_reasons=2)
    assert [r.site.name for r in listed] == ["Twin", "Canteen", "Day care"]


def test_the_reason_says_so_when_no_resident_would_lose_a_service():
    lonely = Site(name="Lonely", latitude="31.19", longitude="121.45")
    service = SiteService(site=lonely, service_type=ServiceType(code="x", target_group="all"))
    review = SiteReview(
        site=lonely,
        services=[service],
        has_standard=True,
        coverage=0,
        neighbour=Site(name="Nearby"),
        neighbour_m=120.4,
        neighbour_shared=1,
    )
    with translation.override("en"):
        (reason,) = review_reasons(review)
    assert reason.code == "small_coverage"
    assert reason.text.startswith("No resident would lose")
    assert "Nearby, 120 m away and offering 1 of its 1 services" in reason.text


def straight_m(a: Site, b: Site) -> float:
    return float(
        haversine_m(float(a.latitude), float(a.longitude), float(b.latitude), float(b.longitude))
    )


def test_a_neighbour_in_straight_line_reach_but_beyond_a_walk_does_not_cover_the_residents():
    office = make_service_type("committee_office", threshold_m=300, target_group="all")
    area = make_area(
        name="Tianlin", centroid_lat="31.190000", centroid_lng="121.450000", population_total=2400
    )
    here = make_site(name="Here", latitude="31.190000", longitude="121.450000")
    neighbour = make_site(name="Neighbour", latitude="31.192140", longitude="121.450000")
    for site in (here, neighbour):
        make_site_service(site, office)
    # 238 m in a straight line is within the 300 m threshold, the 310 m walk is not.
    assert straight_m(here, neighbour) == pytest.approx(238, abs=0.5)
    assert straight_m(here, neighbour) <= office.threshold_m
    assert straight_m(here, neighbour) * DETOUR_FACTOR == pytest.approx(310, abs=1)

    by_name = {r.site.name: r for r in monthly_review(today=TODAY)}

    # Closing Here leaves the area's residents without a committee office within a walk.
    assert by_name["Here"].coverage == area.population_total
    assert [(t.code, n) for t, n in by_name["Here"].coverage_by_service] == [
        ("committee_office", area.population_total)
    ]
    # The neighbour reaches no area centre within a walk: closing it costs nobody coverage.
    assert by_name["Neighbour"].coverage == 0
    # The neighbour that would take over is named with its walking distance.
    assert by_name["Here"].neighbour == neighbour
    assert by_name["Here"].neighbour_m == pytest.approx(straight_m(here, neighbour) * DETOUR_FACTOR)


def test_visitor_counts_change_only_what_differs():
    first, second = make_site(visitors_per_month=100), make_site(visitors_per_month=5)
    changed = site_services.record_visitors(visitors={first.pk: 120, second.pk: 5})
    assert changed == 1
    assert Site.objects.get(pk=first.pk).visitors_per_month == 120
    site_services.record_visitors(visitors={second.pk: None})
    assert Site.objects.get(pk=second.pk).visitors_per_month is None
