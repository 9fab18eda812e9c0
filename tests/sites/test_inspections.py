"""Inspection schedules: periods, due dates and overdue across month, quarter and year ends.

Every date is fixed and `today` is passed in: nothing here reads the clock.
"""

from datetime import UTC, date, datetime

import pytest

from sites.models import ServiceStatus, Site, SiteStatus
from sites.safety import schedules
from sites.safety.models import Inspection, InspectionRule
from sites.safety.schedules import next_due, period_end, period_index, period_start
from tests.builders import make_service_type, make_site, make_site_service

# --- Periods and due dates (no database) ---------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "start", "end"),
    [
        (date(2025, 1, 1), 1, date(2025, 1, 1), date(2025, 1, 31)),
        (date(2024, 2, 10), 1, date(2024, 2, 1), date(2024, 2, 29)),  # leap year
        (date(2025, 2, 28), 1, date(2025, 2, 1), date(2025, 2, 28)),
        (date(2025, 12, 31), 1, date(2025, 12, 1), date(2025, 12, 31)),
        (date(2025, 3, 31), 3, date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 4, 1), 3, date(2025, 4, 1), date(2025, 6, 30)),
        (date(2025, 11, 15), 3, date(2025, 10, 1), date(2025, 12, 31)),
        (date(2025, 7, 1), 6, date(2025, 7, 1), date(2025, 12, 31)),
        (date(2025, 6, 30), 12, date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_periods_are_calendar_months_quarters_half_years_and_years(day, months, start, end):
    index = period_index(day, months)
    assert period_start(index, months) == start
    assert period_end(index, months) == end


@pytest.mark.parametrize(
    ("last", "months", "today", "due"),
    [
        # Monthly: the month after the last inspection's month, by its last day.
        (date(2025, 1, 31), 1, date(2025, 2, 1), date(2025, 2, 28)),
        (date(2025, 1, 1), 1, date(2025, 1, 20), date(2025, 2, 28)),
        (date(2024, 1, 15), 1, date(2024, 1, 20), date(2024, 2, 29)),
        # Across the year end.
        (date(2024, 12, 31), 1, date(2025, 1, 1), date(2025, 1, 31)),
        (date(2024, 11, 30), 1, date(2025, 1, 1), date(2024, 12, 31)),
        # Quarterly: once per calendar quarter, whatever day in it.
        (date(2025, 1, 2), 3, date(2025, 3, 1), date(2025, 6, 30)),
        (date(2025, 3, 31), 3, date(2025, 4, 1), date(2025, 6, 30)),
        (date(2024, 10, 1), 3, date(2025, 2, 1), date(2025, 3, 31)),
        (date(2024, 12, 31), 3, date(2025, 1, 1), date(2025, 3, 31)),
        # Yearly.
        (date(2024, 12, 31), 12, date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_next_due_is_the_end_of_the_period_after_the_last_inspection(last, months, today, due):
    assert next_due(last, months, today) == due


@pytest.mark.parametrize(
    ("today", "months", "due"),
    [
        (date(2025, 1, 1), 1, date(2025, 1, 31)),
        (date(2025, 12, 31), 1, date(2025, 12, 31)),
        (date(2025, 5, 20), 3, date(2025, 6, 30)),
        (date(2025, 12, 31), 3, date(2025, 12, 31)),
    ],
)
def test_a_site_never_inspected_owes_one_in_the_current_period(today, months, due):
    assert next_due(None, months, today) == due


def test_shanghai_today_turns_over_at_shanghai_midnight_not_utc():
    # 16:00 UTC on 31 December is midnight in Shanghai: a new month, quarter and year.
    assert schedules.shanghai_today(datetime(2024, 12, 31, 15, 59, tzinfo=UTC)) == date(
        2024, 12, 31
    )
    assert schedules.shanghai_today(datetime(2024, 12, 31, 16, 0, tzinfo=UTC)) == date(2025, 1, 1)


def test_checks_done_late_on_the_last_evening_count_for_that_month():
    # An inspection dated 31 March (Shanghai) keeps both the March self-check and the first
    # quarter's joint inspection on time, even though UTC still says 31 March at 23:00 local.
    today = schedules.shanghai_today(datetime(2025, 3, 31, 15, 0, tzinfo=UTC))
    assert today == date(2025, 3, 31)
    assert next_due(date(2025, 3, 31), 1, today) == date(2025, 4, 30)
    assert next_due(date(2025, 3, 31), 3, today) == date(2025, 6, 30)


def _due(last, months, today):
    return schedules.Due(
        site=None,
        kind="fire",
        mode="self",
        interval_months=months,
        last_date=last,
        due_date=next_due(last, months, today),
        today=today,
    )


@pytest.mark.parametrize(
    ("last", "months", "today", "overdue", "days"),
    [
        # Last done in November: December's check was due by 31 December.
        (date(2024, 11, 10), 1, date(2025, 1, 1), True, 1),
        (date(2024, 12, 10), 1, date(2025, 1, 31), False, 0),
        (date(2024, 12, 10), 1, date(2025, 2, 1), True, 1),
        # Quarterly: done in Q3, Q4's joint inspection was due by 31 December.
        (date(2024, 9, 30), 3, date(2024, 12, 31), False, 0),
        (date(2024, 9, 30), 3, date(2025, 1, 1), True, 1),
        (date(2024, 10, 1), 3, date(2025, 3, 31), False, 0),
        (date(2024, 10, 1), 3, date(2025, 4, 10), True, 10),
    ],
)
def test_overdue_once_a_whole_period_passed_without_an_inspection(
    last, months, today, overdue, days
):
    due = _due(last, months, today)
    assert due.overdue is overdue
    assert due.days_overdue == days


def test_upcoming_is_not_overdue_and_due_within_the_window():
    today = date(2025, 6, 20)
    soon = _due(date(2025, 5, 2), 1, today)  # due 30 June
    later = _due(date(2025, 6, 2), 1, today)  # due 31 July
    late = _due(date(2025, 4, 2), 1, today)  # was due 31 May
    assert soon.upcoming(30) and not later.upcoming(30) and not late.upcoming(30)
    assert later.upcoming(45)
    assert schedules.upcoming([soon, later, late]) == [soon]
    assert schedules.overdue([soon, later, late]) == [late]


# --- Schedules from the database -----------------------------------------------------------


def inspect(site, kind, mode, day, result="pass"):
    return Inspection.objects.create(
        site=site, kind=kind, mode=mode, date=day, inspectors="Inspector", result=result
    )


def by_key(dues):
    return {(d.site.pk, d.kind, d.mode): d for d in dues}


@pytest.mark.django_db
def test_every_operating_site_owes_fire_and_building_and_food_only_where_food_is_served():
    canteen = make_service_type("canteen")  # seeded with food rules
    plain = make_site(name="Plain")
    kitchen = make_site(name="Kitchen")
    make_site_service(kitchen, canteen)
    make_site(name="Candidate", status=SiteStatus.CANDIDATE)
    dues = by_key(schedules.schedule(today=date(2025, 5, 10)))
    assert {key[1:] for key in dues if key[0] == plain.pk} == {
        ("fire", "self"),
        ("fire", "joint"),
        ("building", "self"),
        ("building", "joint"),
    }
    kinds = {key[1:] for key in dues if key[0] == kitchen.pk}
    assert {("food", "self"), ("food", "joint")} <= kinds
    assert {site.name for site in (d.site for d in dues.values())} == {"Plain", "Kitchen"}
    assert dues[(kitchen.pk, "food", "self")].interval_months == 1
    assert dues[(kitchen.pk, "food", "joint")].interval_months == 3


@pytest.mark.django_db
def test_a_planned_food_service_owes_no_food_inspection():
    site = make_site()
    make_site_service(site, make_service_type("canteen"), status=ServiceStatus.PLANNED)
    kinds = {d.kind for d in schedules.schedule(today=date(2025, 5, 10))}
    assert "food" not in kinds


@pytest.mark.django_db
def test_the_shortest_interval_wins_where_rules_overlap():
    site = make_site()
    bakery = make_service_type("bakery")
    make_site_service(site, make_service_type("canteen"))
    make_site_service(site, bakery)
    InspectionRule.objects.filter(service_type=bakery, kind="food", mode="joint").update(
        interval_months=2
    )
    InspectionRule.objects.filter(service_type__code="canteen", kind="food", mode="joint").update(
        interval_months=6
    )
    dues = by_key(schedules.schedule(today=date(2025, 5, 10)))
    assert dues[(site.pk, "food", "joint")].interval_months == 2


@pytest.mark.django_db
def test_schedule_uses_the_last_inspection_and_ignores_future_dated_ones():
    site = make_site()
    inspect(site, "fire", "self", date(2025, 3, 5))
    inspect(site, "fire", "self", date(2025, 4, 30))
    inspect(site, "fire", "self", date(2025, 7, 1))  # after "today": not counted
    inspect(site, "building", "joint", date(2024, 12, 31))
    dues = by_key(schedules.schedule(today=date(2025, 6, 1)))
    fire = dues[(site.pk, "fire", "self")]
    assert fire.last_date == date(2025, 4, 30)
    assert fire.due_date == date(2025, 5, 31)
    assert fire.overdue and fire.days_overdue == 1
    joint = dues[(site.pk, "building", "joint")]
    assert joint.due_date == date(2025, 3, 31) and joint.overdue
    never = dues[(site.pk, "fire", "joint")]
    assert never.last_date is None and never.due_date == date(2025, 6, 30)
    assert not never.overdue


@pytest.mark.django_db
def test_schedule_across_the_year_end():
    site = make_site()
    inspect(site, "fire", "self", date(2024, 12, 31))
    inspect(site, "fire", "joint", date(2024, 10, 2))
    on_new_year = by_key(schedules.schedule(today=date(2025, 1, 1)))
    assert on_new_year[(site.pk, "fire", "self")].due_date == date(2025, 1, 31)
    assert not on_new_year[(site.pk, "fire", "self")].overdue
    assert on_new_year[(site.pk, "fire", "joint")].due_date == date(2025, 3, 31)
    a_month_on = by_key(schedules.schedule(today=date(2025, 2, 1)))
    assert a_month_on[(site.pk, "fire", "self")].overdue
    assert not a_month_on[(site.pk, "fire", "joint")].overdue


@pytest.mark.django_db
def test_schedule_of_given_sites_only_and_soonest_first():
    first, second = make_site(name="A"), make_site(name="B")
    inspect(first, "fire", "self", date(2025, 1, 10))
    dues = schedules.schedule(today=date(2025, 5, 10), sites=Site.objects.filter(pk=first.pk))
    assert {d.site.pk for d in dues} == {first.pk}
    assert [d.due_date for d in dues] == sorted(d.due_date for d in dues)
    assert second.pk not in {d.site.pk for d in dues}


@pytest.mark.django_db
def test_no_operating_sites_no_schedule():
    make_site(status=SiteStatus.BUILDING)
    assert schedules.schedule(today=date(2025, 5, 10)) == []
