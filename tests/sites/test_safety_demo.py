"""The safety demo: a year of inspections, a few overdue, a few open findings; idempotent."""

import io
from datetime import date

import pytest

from scenarios import reviews
from sites import demo
from sites.models import HAZARD_FIELDS, Site, SiteStatus
from sites.safety import demo as safety_demo
from sites.safety import schedules
from sites.safety import selectors as safety_selectors
from sites.safety.models import Finding, Inspection

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
    today = schedules.shanghai_today()
    dates = Inspection.objects.values_list("date", flat=True)
    assert min(dates) >= date(today.year - 1, today.month, 1)
    assert max(dates) <= today
    operating = Site.objects.operating().count()
    # Roughly every operating site, monthly and quarterly, fire and building, for a year.
    assert Inspection.objects.count() >= operating * 2 * (11 + 4)
    late = schedules.overdue(schedules.schedule(today=today))
    assert 1 <= len({d.site.pk for d in late}) <= 6
    board = safety_selectors.dashboard(today=today)
    assert 2 <= board.open_findings_total <= 6
    assert len(board.never_inspected) >= 1


def test_the_hazard_flags_are_exactly_the_kinds_of_open_findings():
    load_both()
    open_kinds: dict[int, set[str]] = {}
    for site_id, kind in Finding.objects.filter(closed_on__isnull=True).values_list(
        "inspection__site", "inspection__kind"
    ):
        open_kinds.setdefault(site_id, set()).add(kind)
    assert open_kinds, "the demo has open findings"
    for site in Site.objects.exclude(status=SiteStatus.CLOSED):
        raised = {kind for kind, field in HAZARD_FIELDS.items() if getattr(site, field)}
        assert raised == open_kinds.get(site.pk, set()), site.code


def test_the_subtraction_review_has_something_to_say_about_the_demo():
    load_both()
    listed = reviews.subtraction_review()
    codes = {r.site.code: r.reason_codes for r in listed}
    assert "fire_hazard" in codes["old-activity-room"]
    assert any("merge" in reasons for reasons in codes.values())
