"""Reads for the safety pages: the inspectors' today page and its lists, the dashboard, a site's
safety record, exports, and the safety figures the planning reviews show (open findings and
overdue checks per site).

Every function here reads a fixed number of queries, whatever the number of sites,
inspections and findings: aggregates and prefetches, never a query per row.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear

from sites.models import Area, Site
from sites.safety import schedules
from sites.safety.models import Finding, Inspection, InspectionKind, InspectionRule

WEEK_DAYS = 7

# Open findings are grouped by the days since the inspection that found them.
AGE_BUCKETS: list[tuple[int, int | None]] = [(0, 30), (31, 90), (91, 180), (181, None)]
CHART_MONTHS = 12


# --- The dashboard -------------------------------------------------------------------------


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    self_check: int
    joint: int

    @property
    def total(self) -> int:
        return self.self_check + self.joint


@dataclass(frozen=True)
class AgeBucket:
    low: int
    high: int | None
    count: int


@dataclass(frozen=True)
class MonthCount:
    month: date
    count: int


@dataclass
class Dashboard:
    today: date
    dues: list[schedules.Due]
    overdue: list[schedules.Due]
    upcoming: list[schedules.Due]
    overdue_by_kind: list[KindCount]
    never_inspected: list[Site]
    findings_by_age: list[AgeBucket]
    past_deadline: int
    open_findings: list[Finding]
    open_findings_total: int
    per_month: list[MonthCount]
    rules: list[InspectionRule]

    @property
    def per_month_max(self) -> int:
        return max((m.count for m in self.per_month), default=0)


# --- The inspectors' today page and its lists ----------------------------------------------


@dataclass(frozen=True)
class SafetyFilters:
    """What the today page and its lists are narrowed to; empty means everything."""

    area: Area | None = None
    kind: str = ""
    mode: str = ""

    def sites(self, sites: QuerySet[Site]) -> QuerySet[Site]:
        return sites.filter(area=self.area) if self.area is not None else sites

    def dues(self, dues: list[schedules.Due]) -> list[schedules.Due]:
        return [
            d
            for d in dues
            if (not self.kind or d.kind == self.kind) and (not self.mode or d.mode == self.mode)
        ]

    def findings(self, findings: QuerySet[Finding]) -> QuerySet[Finding]:
        if self.kind:
            findings = findings.filter(inspection__kind=self.kind)
        if self.mode:
            findings = findings.filter(inspection__mode=self.mode)
        return findings


def filtered_dues(
    sites: QuerySet[Site], filters: SafetyFilters, *, today: date
) -> list[schedules.Due]:
    """The checks the (visible, filtered) operating sites owe, soonest due first."""
    return filters.dues(schedules.schedule(today=today, sites=filters.sites(sites)))


def filtered_open_findings(sites: QuerySet[Site], filters: SafetyFilters) -> QuerySet[Finding]:
    """Open findings at the sites, earliest deadline (so most overdue) first."""
    return filters.findings(open_findings(filters.sites(sites)))


def with_days(findings, today: date) -> list[Finding]:
    """The findings with `days_overdue` and `days_left` set, for the tables."""
    findings = list(findings)
    for finding in findings:
        finding.days_left = (finding.rectify_by - today).days
        finding.days_overdue = max(-finding.days_left, 0)
    return findings


@dataclass
class TodayBoard:
    """What an inspector deals with first: everything overdue, most overdue first, then what
    falls due this week; the rest is counted and listed on pages of its own."""

    today: date
    overdue_checks: list[schedules.Due]
    overdue_findings: list[Finding]
    week_checks: list[schedules.Due]
    week_findings: list[Finding]
    upcoming_checks: int
    open_findings: int


def today_board(
    sites: QuerySet[Site], filters: SafetyFilters, *, today: date | None = None
) -> TodayBoard:
    """The today page in a fixed number of queries (the schedule's four, and two for findings)."""
    today = today or schedules.shanghai_today()
    dues = filtered_dues(sites, filters, today=today)
    findings = filtered_open_findings(sites, filters)
    week_end = today + timedelta(days=WEEK_DAYS)
    return TodayBoard(
        today=today,
        overdue_checks=sorted(schedules.overdue(dues), key=lambda d: (d.due_date, d.site.name)),
        overdue_findings=with_days(findings.filter(rectify_by__lt=today), today),
        week_checks=[d for d in dues if d.upcoming(WEEK_DAYS)],
        week_findings=with_days(
            findings.filter(rectify_by__gte=today, rectify_by__lte=week_end), today
        ),
        upcoming_checks=len(schedules.upcoming(dues)),
        open_findings=findings.count(),
    )


# The lists the today page's tiles open, by `state`.
CHECK_STATES = ("overdue", "week", "upcoming")
FINDING_STATES = ("overdue", "week", "open")


def check_list(
    sites: QuerySet[Site], filters: SafetyFilters, state: str, *, today: date
) -> list[schedules.Due]:
    dues = filtered_dues(sites, filters, today=today)
    if state == "overdue":
        return sorted(schedules.overdue(dues), key=lambda d: (d.due_date, d.site.name))
    if state == "week":
        return [d for d in dues if d.upcoming(WEEK_DAYS)]
    return schedules.upcoming(dues)


def finding_list(
    sites: QuerySet[Site], filters: SafetyFilters, state: str, *, today: date
) -> QuerySet[Finding]:
    findings = filtered_open_findings(sites, filters)
    if state == "overdue":
        return findings.filter(rectify_by__lt=today)
    if state == "week":
        return findings.filter(
            rectify_by__gte=today, rectify_by__lte=today + timedelta(days=WEEK_DAYS)
        )
    return findings


# --- The dashboard -------------------------------------------------------------------------


def dashboard(
    *, sites: QuerySet[Site] | None = None, today: date | None = None, open_limit: int = 50
) -> Dashboard:
    """The overview of the sites a user may see (every site by default)."""
    today = today or schedules.shanghai_today()
    sites = Site.objects.all() if sites is None else sites
    dues = schedules.schedule(today=today, sites=sites)
    late = schedules.overdue(dues)
    by_kind = Counter((d.kind, d.mode) for d in late)
    ages = findings_by_age(today=today, sites=sites)
    return Dashboard(
        today=today,
        dues=dues,
        overdue=sorted(late, key=lambda d: (d.due_date, d.site.name)),
        upcoming=schedules.upcoming(dues),
        overdue_by_kind=[
            KindCount(kind, label, by_kind[(kind, "self")], by_kind[(kind, "joint")])
            for kind, label in InspectionKind.choices
        ],
        never_inspected=list(never_inspected(sites.operating())),
        findings_by_age=ages["buckets"],
        past_deadline=ages["past_deadline"],
        open_findings=list(open_findings(sites)[:open_limit]),
        open_findings_total=ages["total"],
        per_month=inspections_per_month(today=today, sites=sites),
        rules=list(InspectionRule.objects.select_related("service_type")),
    )


def never_inspected(sites: QuerySet[Site] | None = None) -> QuerySet[Site]:
    """Operating sites without any inspection on record."""
    sites = Site.objects.operating() if sites is None else sites
    return sites.filter(inspections__isnull=True).select_related("area").order_by("name")


def open_findings(sites: QuerySet[Site] | None = None) -> QuerySet[Finding]:
    findings = Finding.objects.filter(closed_on__isnull=True)
    if sites is not None:
        findings = findings.filter(inspection__site__in=sites)
    return findings.select_related("inspection__site").order_by("rectify_by", "pk")


def findings_by_age(*, today: date, sites: QuerySet[Site] | None = None) -> dict:
    """Open findings counted by days since they were found, in one aggregate query."""
    counts = {}
    for i, (low, high) in enumerate(AGE_BUCKETS):
        found = Q(inspection__date__lte=today - timedelta(days=low))
        if high is not None:
            found &= Q(inspection__date__gte=today - timedelta(days=high))
        counts[f"b{i}"] = Count("pk", filter=found)
    counts["past_deadline"] = Count("pk", filter=Q(rectify_by__lt=today))
    counts["total"] = Count("pk")
    findings = Finding.objects.filter(closed_on__isnull=True)
    if sites is not None:
        findings = findings.filter(inspection__site__in=sites)
    row = findings.aggregate(**counts)
    return {
        "buckets": [
            AgeBucket(low, high, row[f"b{i}"]) for i, (low, high) in enumerate(AGE_BUCKETS)
        ],
        "past_deadline": row["past_deadline"],
        "total": row["total"],
    }


def inspections_per_month(
    *, today: date, months: int = CHART_MONTHS, sites: QuerySet[Site] | None = None
) -> list[MonthCount]:
    """Inspections in each of the last `months` calendar months, this one included."""
    index = schedules.period_index(today, 1)
    first = schedules.period_start(index - months + 1, 1)
    inspections = Inspection.objects.all()
    if sites is not None:
        inspections = inspections.filter(site__in=sites)
    rows = (
        inspections.filter(date__gte=first, date__lte=today)
        .order_by()
        .annotate(year=ExtractYear("date"), month=ExtractMonth("date"))
        .values_list("year", "month")
        .annotate(n=Count("pk"))
    )
    counts = {(year, month): n for year, month, n in rows}
    result = []
    for i in range(index - months + 1, index + 1):
        start = schedules.period_start(i, 1)
        result.append(MonthCount(start, counts.get((start.year, start.month), 0)))
    return result


# --- Records -------------------------------------------------------------------------------


def inspection_records(sites: QuerySet[Site] | None = None) -> QuerySet[Inspection]:
    """Inspections with their site, findings (with reviewer and photos) and photos, in four
    queries."""
    records = Inspection.objects.all()
    if sites is not None:
        records = records.filter(site__in=sites)
    findings = Finding.objects.select_related("reviewed_by").prefetch_related("photos")
    return records.select_related("site", "recorded_by").prefetch_related(
        Prefetch("findings", queryset=findings), "photos"
    )


EXPORT_COLUMNS = [
    "id",
    "site_code",
    "site",
    "kind",
    "mode",
    "date",
    "inspectors",
    "result",
    "findings",
    "open_findings",
    "finding_details",
    "notes",
    "recorded_by",
]


def export_rows(records: QuerySet[Inspection]) -> list[list]:
    """One row per inspection; its findings in one cell: text (rectify by; closed on)."""
    rows = []
    for inspection in records.order_by("date", "pk"):
        findings = list(inspection.findings.all())
        details = "; ".join(
            f"{f.description} (rectify by {f.rectify_by.isoformat()}"
            + (f", closed {f.closed_on.isoformat()})" if f.closed_on else ", open)")
            for f in findings
        )
        rows.append(
            [
                inspection.pk,
                inspection.site.code or "",
                inspection.site.name,
                inspection.kind,
                inspection.mode,
                inspection.date.isoformat(),
                inspection.inspectors,
                inspection.result,
                len(findings),
                sum(1 for f in findings if f.is_open),
                details,
                inspection.notes,
                inspection.recorded_by.get_username() if inspection.recorded_by else "",
            ]
        )
    return rows


@dataclass
class SiteSafety:
    site: Site
    dues: list[schedules.Due]
    records: list[Inspection]
    open_findings: list[Finding]

    @property
    def overdue(self) -> list[schedules.Due]:
        return schedules.overdue(self.dues)

    @property
    def findings(self) -> list[Finding]:
        """Every finding, open or closed, newest inspection first: the history of each."""
        return [f for r in self.records for f in r.findings.all()]


def site_safety(site: Site, *, today: date | None = None) -> SiteSafety:
    """A site's schedule, its inspections (newest first) and its open findings."""
    today = today or schedules.shanghai_today()
    sites = Site.objects.filter(pk=site.pk)
    records = list(inspection_records(sites))
    return SiteSafety(
        site=site,
        dues=schedules.schedule(today=today, sites=sites),
        records=records,
        open_findings=[f for r in records for f in r.findings.all() if f.is_open],
    )


# --- Figures for the planning reviews ------------------------------------------------------


def open_findings_by_site(sites: QuerySet[Site]) -> dict[int, dict[str, int]]:
    """Site id -> {inspection kind: number of open findings}, in one aggregate query."""
    rows = (
        Finding.objects.filter(closed_on__isnull=True, inspection__site__in=sites)
        .order_by()
        .values_list("inspection__site", "inspection__kind")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, dict[str, int]] = {}
    for site_id, kind, n in rows:
        counts.setdefault(site_id, {})[kind] = n
    return counts


def overdue_checks_by_site(sites: QuerySet[Site], *, today: date) -> Counter[int]:
    """Site id -> number of overdue checks (operating sites only), in a fixed number of queries."""
    return Counter(
        due.site.pk for due in schedules.overdue(schedules.schedule(today=today, sites=sites))
    )
