"""Reads for the safety pages: the dashboard, a site's safety record, exports, the monthly
review and the subtraction review.

Every function here reads a fixed number of queries, whatever the number of sites,
inspections and findings: aggregates and prefetches, never a query per row.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from django.apps import apps
from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sites import inspections
from sites.models import (
    Area,
    Finding,
    Inspection,
    InspectionKind,
    InspectionRule,
    ServiceStatus,
    ServiceType,
    Site,
    SiteService,
    TargetGroup,
)
from siting.geometry import haversine_m

# Open findings are grouped by the days since the inspection that found them.
AGE_BUCKETS: list[tuple[int, int | None]] = [(0, 30), (31, 90), (91, 180), (181, None)]
CHART_MONTHS = 12

# The subtraction review's thresholds. Ratings are 1–5; fewer ratings say too little.
LOW_SATISFACTION = 3.0
MIN_RATINGS = 5
SMALL_COVERAGE_RESIDENTS = 1000
MERGE_WALK_M = 300  # straight line: "a short walk" to the other site


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
    dues: list[inspections.Due]
    overdue: list[inspections.Due]
    upcoming: list[inspections.Due]
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
    today = today or inspections.shanghai_today()
    dues = inspections.schedule(today=today)
    late = inspections.overdue(dues)
    by_kind = Counter((d.kind, d.mode) for d in late)
    ages = findings_by_age(today=today)
    return Dashboard(
        today=today,
        dues=dues,
        overdue=sorted(late, key=lambda d: (d.due_date, d.site.name)),
        upcoming=inspections.upcoming(dues),
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
    index = inspections.period_index(today, 1)
    first = inspections.period_start(index - months + 1, 1)
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
        start = inspections.period_start(i, 1)
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
    dues: list[inspections.Due]
    records: list[Inspection]
    open_findings: list[Finding]

    @property
    def overdue(self) -> list[inspections.Due]:
        return inspections.overdue(self.dues)


def site_safety(site: Site, *, today: date | None = None) -> SiteSafety:
    """A site's schedule, its inspections (newest first) and its open findings."""
    today = today or inspections.shanghai_today()
    sites = Site.objects.filter(pk=site.pk)
    records = list(inspection_records(sites))
    return SiteSafety(
        site=site,
        dues=inspections.schedule(today=today, sites=sites),
        records=records,
        open_findings=[f for r in records for f in r.findings.all() if f.is_open],
    )


# --- The monthly review and the subtraction review -----------------------------------------


@dataclass(frozen=True)
class Reason:
    code: str
    text: str


@dataclass
class SiteReview:
    """One operating site as the monthly meeting sees it."""

    site: Site
    services: list[SiteService]
    open_findings: dict[str, int] = field(default_factory=dict)
    overdue_checks: int = 0
    satisfaction: float | None = None
    ratings: int = 0
    has_standard: bool = False  # offers a service with a walking threshold
    coverage: int = 0  # residents left without one of its services if it closed
    coverage_by_service: list[tuple[ServiceType, int]] = field(default_factory=list)
    neighbour: Site | None = None
    neighbour_m: float | None = None
    neighbour_shared: int = 0
    merge_with: Site | None = None
    merge_m: float | None = None
    reasons: list[Reason] = field(default_factory=list)

    @property
    def groups(self) -> set[str]:
        return {s.service_type.target_group for s in self.services}

    @property
    def narrow_groups(self) -> frozenset[str]:
        return frozenset(self.groups - {TargetGroup.ALL})

    @property
    def open_findings_total(self) -> int:
        return sum(self.open_findings.values())

    @property
    def reason_codes(self) -> list[str]:
        return [r.code for r in self.reasons]


def site_satisfaction(sites: QuerySet[Site]) -> dict[int, tuple[float, int]]:
    """Site id -> (mean rating 1–5, number of ratings) from survey rating questions.

    A rating answer rates a site through its choice (`Choice.site`). The surveys app depends
    on this one, not the other way round: its model is looked up by name when called, and
    without the app (or its data) there are no figures.
    """
    try:
        answer = apps.get_model("surveys", "Answer")
    except LookupError:
        return {}
    rows = (
        answer.objects.filter(question__kind="rating", choice__site__in=sites, number__isnull=False)
        .order_by()
        .values_list("choice__site")
        .annotate(mean=Avg("number"), n=Count("pk"))
    )
    return {site_id: (float(mean), n) for site_id, mean, n in rows}


def monthly_review(*, today: date | None = None) -> list[SiteReview]:
    """Every operating site with visitors, satisfaction, open findings, overdue checks and
    the coverage it contributes; in a fixed number of queries."""
    today = today or inspections.shanghai_today()
    sites = Site.objects.operating()
    site_list = list(
        sites.select_related("area")
        .prefetch_related(
            Prefetch(
                "services",
                queryset=SiteService.objects.filter(status=ServiceStatus.OPERATING)
                .select_related("service_type")
                .order_by("service_type__order", "service_type__code"),
            )
        )
        .order_by("name", "pk")
    )
    reviews = [SiteReview(site=s, services=list(s.services.all())) for s in site_list]
    by_id = {r.site.pk: r for r in reviews}

    findings = (
        Finding.objects.filter(closed_on__isnull=True, inspection__site__in=sites)
        .order_by()
        .values_list("inspection__site", "inspection__kind")
        .annotate(n=Count("pk"))
    )
    for site_id, kind, n in findings:
        by_id[site_id].open_findings[kind] = n
    for due in inspections.overdue(inspections.schedule(today=today, sites=sites)):
        by_id[due.site.pk].overdue_checks += 1
    for site_id, (mean, n) in site_satisfaction(sites).items():
        if site_id in by_id:
            by_id[site_id].satisfaction, by_id[site_id].ratings = mean, n
    add_coverage(reviews, list(Area.objects.all()))
    return reviews


def add_coverage(reviews: list[SiteReview], areas: list[Area]) -> None:
    """Fill in what each site contributes, against the other sites of `reviews`.

    Coverage lost on closing: the residents of areas whose centre lies within a service's
    walking threshold of this site and of no other site offering that service (straight
    line to the area centres, weighted by population). Per service, the residents of the
    service's target group; in total, all residents of those areas, each counted once.
    The neighbour that would take over shares most of its services, the nearest first.
    A merge candidate lies within MERGE_WALK_M and serves the same groups (its services'
    target groups other than "all residents", which every site serves).
    """
    n = len(reviews)
    if not n:
        return
    lat = np.array([float(r.site.latitude) for r in reviews])
    lng = np.array([float(r.site.longitude) for r in reviews])
    between = haversine_m(lat[:, None], lng[:, None], lat[None, :], lng[None, :])

    offering: dict[int, list[int]] = {}
    types: dict[int, ServiceType] = {}
    for i, review in enumerate(reviews):
        for service in review.services:
            types[service.service_type_id] = service.service_type
            offering.setdefault(service.service_type_id, []).append(i)
        review.has_standard = any(s.service_type.threshold_m for s in review.services)

    if areas:
        area_lat = np.array([float(a.centroid_lat) for a in areas])
        area_lng = np.array([float(a.centroid_lng) for a in areas])
        totals = np.array([a.population_total or 0 for a in areas], dtype=float)
        to_areas = haversine_m(lat[:, None], lng[:, None], area_lat[None, :], area_lng[None, :])
        lost = np.zeros((n, len(areas)), dtype=bool)
        for type_id, members in offering.items():
            service_type = types[type_id]
            if not service_type.threshold_m:
                continue
            covered = to_areas[members] <= service_type.threshold_m
            only_here = covered & (covered.sum(axis=0) == 1)
            if not only_here.any():
                continue
            group = np.array(
                [a.population_for(service_type.target_group) or 0 for a in areas], dtype=float
            )
            for row, i in enumerate(members):
                if only_here[row].any():
                    reviews[i].coverage_by_service.append(
                        (service_type, int(group[only_here[row]].sum()))
                    )
                    lost[i] |= only_here[row]
        for i, review in enumerate(reviews):
            review.coverage = int(totals[lost[i]].sum())

    if offering:
        columns = list(offering)
        incidence = np.zeros((n, len(columns)), dtype=np.int32)
        for col, type_id in enumerate(columns):
            incidence[offering[type_id], col] = 1
        shared = incidence @ incidence.T
        np.fill_diagonal(shared, 0)
        # Most shared services first; among equals the nearest (distances < 1e7 m).
        score = np.where(shared > 0, shared * 1e7 - between, -np.inf)
        best = score.argmax(axis=1)
        for i, review in enumerate(reviews):
            j = int(best[i])
            if np.isfinite(score[i, j]):
                review.neighbour = reviews[j].site
                review.neighbour_m = float(between[i, j])
                review.neighbour_shared = int(shared[i, j])

    keys: dict[frozenset[str], int] = {}
    key = np.array(
        [keys.setdefault(r.narrow_groups, len(keys)) if r.narrow_groups else -1 for r in reviews]
    )
    same = (key[:, None] == key[None, :]) & (key[:, None] >= 0) & (between <= MERGE_WALK_M)
    np.fill_diagonal(same, False)
    distance = np.where(same, between, np.inf)
    nearest = distance.argmin(axis=1)
    for i, review in enumerate(reviews):
        j = int(nearest[i])
        if np.isfinite(distance[i, j]):
            review.merge_with, review.merge_m = reviews[j].site, float(distance[i, j])


def _group_labels(groups) -> str:
    labels = dict(TargetGroup.choices)
    return ", ".join(str(labels.get(g, g)) for g in sorted(groups))


def review_reasons(review: SiteReview) -> list[Reason]:
    """Why a site is worth closing or merging; empty when nothing speaks against it."""
    reasons = []
    site = review.site
    for kind, flagged in (
        (InspectionKind.FIRE, site.hazard_fire),
        (InspectionKind.BUILDING, site.hazard_building),
    ):
        if flagged:
            count = review.open_findings.get(kind, 0)
            reasons.append(
                Reason(
                    f"{kind}_hazard",
                    ngettext(
                        "%(kind)s hazard: %(count)s open finding.",
                        "%(kind)s hazard: %(count)s open findings.",
                        count,
                    )
                    % {"kind": InspectionKind(kind).label, "count": count},
                )
            )
    groups = review.groups
    if len(groups) == 1 and TargetGroup.ALL not in groups:
        reasons.append(
            Reason(
                "narrow_group",
                _("All its services serve one narrow group: %(group)s.")
                % {"group": _group_labels(groups)},
            )
        )
    if (
        review.satisfaction is not None
        and review.ratings >= MIN_RATINGS
        and review.satisfaction < LOW_SATISFACTION
    ):
        reasons.append(
            Reason(
                "low_satisfaction",
                _("Low satisfaction: %(mean).1f out of 5 from %(count)s ratings.")
                % {"mean": review.satisfaction, "count": review.ratings},
            )
        )
    if (
        review.has_standard
        and review.coverage < SMALL_COVERAGE_RESIDENTS
        and review.neighbour is not None
    ):
        takeover = {
            "neighbour": review.neighbour.name,
            "distance": round(review.neighbour_m),
            "shared": review.neighbour_shared,
            "total": len(review.services),
        }
        if review.coverage:
            text = _(
                "Closing it would leave %(residents)s residents without one of its services "
                "within walking distance; %(neighbour)s, %(distance)s m away and offering "
                "%(shared)s of its %(total)s services, would take over."
            ) % {"residents": f"{review.coverage:,}", **takeover}
        else:
            text = (
                _(
                    "No resident would lose one of its services within walking distance on "
                    "closing; %(neighbour)s, %(distance)s m away and offering %(shared)s of its "
                    "%(total)s services, would take over."
                )
                % takeover
            )
        reasons.append(Reason("small_coverage", text))
    if review.merge_with is not None:
        reasons.append(
            Reason(
                "merge",
                _(
                    "%(other)s, %(distance)s m away, serves the same groups (%(groups)s): "
                    "a candidate for merging into one site."
                )
                % {
                    "other": review.merge_with.name,
                    "distance": round(review.merge_m),
                    "groups": _group_labels(review.narrow_groups),
                },
            )
        )
    return reasons


def subtraction_review(
    reviews: list[SiteReview] | None = None, *, min_reasons: int = 1, today: date | None = None
) -> list[SiteReview]:
    """The sites worth closing or merging, each with its reasons.

    Sites with a fire or building hazard come first, then those with more reasons, then
    those whose closing loses the fewest residents.
    """
    if reviews is None:
        reviews = monthly_review(today=today)
    listed = []
    for review in reviews:
        review.reasons = review_reasons(review)
        if len(review.reasons) >= min_reasons:
            listed.append(review)
    listed.sort(
        key=lambda r: (
            not (r.site.hazard_fire or r.site.hazard_building),
            -len(r.reasons),
            r.coverage,
            r.site.name,
        )
    )
    return listed
