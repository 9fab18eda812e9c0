"""The safety demo: a year of inspections, a few overdue, a few open findings; idempotent."""

import io
from datetime import date

import pytest

from sites import demo, inspections, safety_demo, safety_selectors
from sites.models import Finding, Inspection, Site
from sites.selectors import HAZARD_FIELDS

pytestmark = pytest.mark.django_db


def load_both(seed: int = 1) -> None:
    demo.load(stdout=io.StringIO(), responses=0, seed=seed)
    safety_demo.load(stdout=io.StringIO(), responses=0, seed=seed)


def state() -> dict:
    return {
        "inspections": Inspection.objects.count(),
        "findings": Finding.objects.count(),
        "open": Finding.objects.filter(closed_on__isnull=True).count(),
        "site_history": Site.history.count(),
        "flags": sorted(
            Site.objects.values_list("code", "hazard_fire", "hazard_building", "hazard_food")
        ),
    }


def test_loading_twice_changes_nothing():
    load_both()
    first = state()
    load_both()
    assert state() == first


def test_a_year_of_inspections_with_a_few_overdue_and_open_findings():
    load_both()
    today = inspections.shanghai_today()
    dates = Inspection.objects.values_list("date", flat=True)
    assert min(dates) >= date(today.year - 1, today.month, 1)
    assert max(dates) <= today
    operating = Site.objects.operating().count()
    # Roughly every operating site, monthly and quarterly, fire and building, for a year.
    assert Inspection.objects.count() >= operating * 2 * (11 + 4)
    late = inspections.overdue(inspections.schedule(today=today))
    assert 1 <= len({d.site.pk for d in late}) <= 6
    board = safety_selectors.dashboard(today=today)
    assert 2 <= board.open_findings_total <= 6
    assert len(board.never_inspected) >= 1


def test_open_findings_sit_where_the_hazard_flag_is_raised():
    load_both()
    for finding in Finding.objects.filter(closed_on__isnull=True).select_related(
        "inspection__site"
    ):
        assert getattr(finding.inspection.site, HAZARD_FIELDS[finding.inspection.kind])


def test_the_subtraction_review_has_something_to_say_about_the_demo():
    load_both()
    listed = safety_selectors.subtraction_review()
    codes = {r.site.code: r.reason_codes for r in listed}
    assert "fire_hazard" in codes["old-activity-room"]
    assert any("merge" in reasons for reasons in codes.values())
