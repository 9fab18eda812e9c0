"""Inspection schedules: when each safety check of an operating site is next due.

The rules (all dates are calendar dates in Asia/Shanghai, the street office's time zone):

- A rule "every n months" cuts the calendar into periods of n whole months, counted from
  January, so n = 1 gives calendar months, 3 calendar quarters (Jan–Mar, Apr–Jun, Jul–Sep,
  Oct–Dec), 6 half-years and 12 calendar years. An n that does not divide 12 still gives
  fixed periods, counted from January of year 0.
- One inspection of the kind and mode is required in each period, on any day of it, and it is
  due by the period's last day: "monthly" means once per calendar month, by that month's end;
  "quarterly" once per calendar quarter, by 31 March, 30 June, 30 September and 31 December.
- The next due date is the last day of the period after the one that holds the last
  inspection. A site never inspected owes one in the current period.
- An obligation is overdue when its due date has passed: a whole period went by without an
  inspection. It is upcoming when it falls due within the next few days (30 by default).
- Which rules apply: a rule without a service type applies to every operating site; a rule for
  a service type applies to the operating sites where that service is operating. Where several
  rules give the same kind and mode, the shortest interval wins.

Nothing here is stored: due and overdue are derived from the rules and the last inspection.
Reading the schedule of any number of sites takes four queries.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max, QuerySet
from django.utils import timezone

from sites.models import ServiceStatus, Site, SiteService
from sites.safety.models import Inspection, InspectionKind, InspectionMode, InspectionRule

SHANGHAI = ZoneInfo("Asia/Shanghai")
UPCOMING_DAYS = 30


def shanghai_today(now: datetime | None = None) -> date:
    """Today's date in Shanghai, whatever the server's or the request's time zone."""
    return timezone.localtime(now or timezone.now(), SHANGHAI).date()


# --- Periods (pure) ------------------------------------------------------------------------


def period_index(day: date, months: int) -> int:
    """The number of the n-month period holding `day`, counted from January of year 0."""
    return (day.year * 12 + day.month - 1) // months


def period_start(index: int, months: int) -> date:
    first = index * months
    return date(first // 12, first % 12 + 1, 1)


def period_end(index: int, months: int) -> date:
    after = (index + 1) * months
    return date(after // 12, after % 12 + 1, 1) - timedelta(days=1)


def next_due(last: date | None, months: int, today: date) -> date:
    """The last day by which the next inspection is due (see the module's rules)."""
    if last is None:
        return period_end(period_index(today, months), months)
    return period_end(period_index(last, months) + 1, months)


# --- Schedules -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """One inspection a site owes: kind and mode, how often, when last done and when due."""

    site: Site
    kind: str
    mode: str
    interval_months: int
    last_date: date | None
    due_date: date
    today: date

    @property
    def overdue(self) -> bool:
        return self.due_date < self.today

    @property
    def days_overdue(self) -> int:
        return max((self.today - self.due_date).days, 0)

    @property
    def days_left(self) -> int:
        return (self.due_date - self.today).days

    def upcoming(self, within_days: int = UPCOMING_DAYS) -> bool:
        return not self.overdue and self.days_left <= within_days

    def get_kind_display(self) -> str:
        return InspectionKind(self.kind).label

    def get_mode_display(self) -> str:
        return InspectionMode(self.mode).label


def required_checks(
    sites: QuerySet[Site], site_ids: Iterable[int] | None = None
) -> dict[tuple[int, str, str], int]:
    """(site id, kind, mode) -> interval in months, for every check the sites owe.

    Two queries (three without `site_ids`): the rules, and the operating services that the
    service-bound rules name.
    """
    rules = list(
        InspectionRule.objects.order_by().values_list(
            "service_type_id", "kind", "mode", "interval_months"
        )
    )
    general = [(kind, mode, months) for st, kind, mode, months in rules if st is None]
    by_type: dict[int, list[tuple[str, str, int]]] = {}
    for st, kind, mode, months in rules:
        if st is not None:
            by_type.setdefault(st, []).append((kind, mode, months))

    if site_ids is None:
        site_ids = list(sites.order_by().values_list("pk", flat=True)) if general else []
    checks: dict[tuple[int, str, str], int] = {}

    def require(key: tuple[int, str, str], months: int) -> None:
        checks[key] = min(months, checks.get(key, months))

    for site_id in site_ids:
        for kind, mode, months in general:
            require((site_id, kind, mode), months)
    if by_type:
        offers = (
            SiteService.objects.filter(
                site__in=sites, status=ServiceStatus.OPERATING, service_type_id__in=by_type
            )
            .order_by()
            .values_list("site_id", "service_type_id")
        )
        for site_id, service_type_id in offers:
            for kind, mode, months in by_type[service_type_id]:
                require((site_id, kind, mode), months)
    return checks


def last_inspections(sites: QuerySet[Site], today: date) -> dict[tuple[int, str, str], date]:
    """(site id, kind, mode) -> date of the last inspection on or before today: one query."""
    rows = (
        Inspection.objects.filter(site__in=sites, date__lte=today)
        # The model's default ordering would otherwise join the GROUP BY.
        .order_by()
        .values_list("site_id", "kind", "mode")
        .annotate(last=Max("date"))
    )
    return {(site_id, kind, mode): last for site_id, kind, mode, last in rows}


def schedule(*, today: date | None = None, sites: QuerySet[Site] | None = None) -> list[Due]:
    """Every check the operating sites (or the given ones) owe, soonest due first.

    A fixed number of queries, whatever the number of sites and inspections.
    """
    today = today or shanghai_today()
    sites = Site.objects.operating() if sites is None else sites.operating()
    site_list = list(sites.select_related("area").order_by("name", "pk"))
    by_id = {site.pk: site for site in site_list}
    if not by_id:
        return []
    checks = required_checks(sites, by_id)
    last = last_inspections(sites, today)
    dues = [
        Due(
            site=by_id[site_id],
            kind=kind,
            mode=mode,
            interval_months=months,
            last_date=last.get((site_id, kind, mode)),
            due_date=next_due(last.get((site_id, kind, mode)), months, today),
            today=today,
        )
        for (site_id, kind, mode), months in checks.items()
        if site_id in by_id
    ]
    dues.sort(key=lambda d: (d.due_date, d.site.name, d.site.pk, d.kind, d.mode))
    return dues


def overdue(dues: Iterable[Due]) -> list[Due]:
    """The overdue checks, longest overdue first."""
    return [d for d in dues if d.overdue]


def upcoming(dues: Iterable[Due], within_days: int = UPCOMING_DAYS) -> list[Due]:
    """Checks not yet overdue that fall due within `within_days` days, soonest first."""
    return [d for d in dues if d.upcoming(within_days)]
