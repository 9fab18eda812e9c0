"""Reads for the safety pages: the dashboard, a site's safety record, exports, and the safety
figures the planning reviews show (open findings and overdue checks per site).

Every function here reads a fixed number of queries, whatever the number of sites,
inspections and findings: aggregates and prefetches, never a query per row.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear

from sites.models import Site
from sites.safety import schedules
from sites.safety.models import Finding, Inspection, InspectionKind, InspectionRule

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


def dashboard(*, today: date | None = None, open_limit: int = 50) -> Dashboard:
    today = today or schedules.shanghai_today()
    dues = schedules.schedule(today=today)
    late = schedules.overdue(dues)
    by_kind = Counter((d.kind, d.mode) for d in late)
    ages = findings_by_age(today=today)
    return Dashboard(
        today=today,
        dues=dues,
        overdue=sorted(late, key=lambda d: (d.due_date, d.site.name)),
        upcoming=schedules.upcoming(dues),
        overdue_by_kind=[
            KindCount(kind, label, by_kind[(kind, "self")], by_kind[(kind, "joint")])
            for kind, label in InspectionKind.choices
        ],
        never_inspected=list(never_inspected()),
        findings_by_age=ages["buckets"],
        past_deadline=ages["past_deadline"],
        open_findings=list(open_findings()[:open_limit]),
        open_findings_total=ages["total"],
        per_month=inspections_per_month(today=today),
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


def findings_by_age(*, today: date) -> dict:
    """Open findings counted by days since they were found, in one aggregate query."""
    counts = {}
    for i, (low, high) in enumerate(AGE_BUCKETS):
        found = Q(inspection__date__lte=today - timedelta(days=low))
        if high is not None:
            found &= Q(inspection__date__gte=today - timedelta(days=high))
        counts[f"b{i}"] = Count("pk", filter=found)
    counts["past_deadline"] = Count("pk", filter=Q(rectify_by__lt=today))
    counts["total"] = Count("pk")
    row = Finding.objects.filter(closed_on__isnull=True).aggregate(**counts)
    return {
        "buckets": [
            AgeBucket(low, high, row[f"b{i}"]) for i, (low, high) in enumerate(AGE_BUCKETS)
        ],
        "past_deadline": row["past_deadline"],
        "total": row["total"],
    }


def inspections_per_month(*, today: date, months: int = CHART_MONTHS) -> list[MonthCount]:
    """Inspections in each of the last `months` calendar months, this one included."""
    index = schedules.period_index(today, 1)
    first = schedules.period_start(index - months + 1, 1)
    rows = (
        Inspection.objects.filter(date__gte=first, date__lte=today)
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
    """Inspections with their site, findings and photos, in three queries."""
    records = Inspection.objects.all()
    if sites is not None:
        records = records.filter(site__in=sites)
    return records.select_related("site", "recorded_by").prefetch_related("findings", "photos")


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
