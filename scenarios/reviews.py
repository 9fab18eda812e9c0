"""The planning reviews of operating sites: the monthly review (visitors, satisfaction, open
findings, overdue checks, coverage) and the subtraction review (which sites are worth closing
or merging, and why).

Planning reads from every app below it: sites and their safety record, survey ratings, and
coverage measured as the plans measure it — the one walking distance (`sites.travel`: on the
street network, or the straight line × the detour factor where none is loaded) against each
service's threshold, through the siting core (`coverage_loss`), like the scenarios' "lost if
closed". Each function reads a fixed number of
queries whatever the number of sites.
"""

from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sites.models import Area, ServiceStatus, ServiceType, Site, SiteService, TargetGroup
from sites.safety import schedules
from sites.safety import selectors as safety
from sites.safety.models import InspectionKind
from sites.travel import Register, travel_times
from siting import coverage_loss, reach
from siting.coverage import cover_counts
from siting.walks import columns as walk_columns
from siting.walks import within
from surveys.selectors import site_satisfaction

# The subtraction review's thresholds. Ratings are 1–5; fewer ratings say too little.
LOW_SATISFACTION = 3.0
MIN_RATINGS = 5
SMALL_COVERAGE_RESIDENTS = 1000
MERGE_WALK_M = 300  # walking metres: "a short walk" to the other site


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


def monthly_review(*, today: date | None = None) -> list[SiteReview]:
    """Every operating site with visitors, satisfaction, open findings, overdue checks and
    the coverage it contributes; in a fixed number of queries."""
    today = today or schedules.shanghai_today()
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
    findings = safety.open_findings_by_site(sites)
    overdue = safety.overdue_checks_by_site(sites, today=today)
    ratings = site_satisfaction(sites)
    for review in reviews:
        site_id = review.site.pk
        review.open_findings = findings.get(site_id, {})
        review.overdue_checks = overdue[site_id]
        review.satisfaction, review.ratings = ratings.get(site_id, (None, 0))
    add_coverage(reviews, list(Area.objects.all()))
    return reviews


def add_coverage(reviews: list[SiteReview], areas: list[Area]) -> None:
    """Fill in what each site contributes, against the other sites of `reviews`.

    Coverage lost on closing: the residents of areas whose centre lies within a service's
    walking threshold of this site and of no other site offering that service (the one walking
    distance, `sites.travel`). Per service, the residents of the service's target
    group (siting's `coverage_loss`); in total, all residents of those areas, each counted
    once. The neighbour that would take over shares most of its services, the nearest first.
    A merge candidate lies within MERGE_WALK_M and serves the same groups (its services'
    target groups other than "all residents", which every site serves). Every distance here is
    in walking metres.
    """
    n = len(reviews)
    if not n:
        return
    lat = np.array([float(r.site.latitude) for r in reviews])
    lng = np.array([float(r.site.longitude) for r in reviews])
    site_ids = [r.site.pk for r in reviews]
    # Farther than the measured limit counts as out of reach (inf).
    register = Register.now()  # one read of the sites and the model for both matrices
    walks = travel_times(np.column_stack([lat, lng]), register=register)
    walks = walks.for_sites(site_ids).tocoo()
    between = np.full((n, n), np.inf)
    between[walks.row, walks.col] = walks.data

    offering: dict[int, list[int]] = {}
    types: dict[int, ServiceType] = {}
    for i, review in enumerate(reviews):
        for service in review.services:
            types[service.service_type_id] = service.service_type
            offering.setdefault(service.service_type_id, []).append(i)
        review.has_standard = any(s.service_type.threshold_m for s in review.services)

    if areas:
        centres = np.array([[float(a.centroid_lat), float(a.centroid_lng)] for a in areas])
        from_centres = travel_times(centres, register=register).for_sites(site_ids)
        totals = np.array([a.population_total or 0 for a in areas], dtype=float)
        lost = np.zeros((n, len(areas)), dtype=bool)
        for type_id, members in offering.items():
            service_type = types[type_id]
            if not service_type.threshold_m:
                continue
            # Areas × the sites offering the service, reached within the walking threshold.
            cover = reach(within(walk_columns(from_centres, members), service_type.threshold_m))
            everyone = np.ones(len(members), dtype=bool)
            only_one = cover_counts(cover, everyone) == 1
            sole = (cover.toarray() > 0) & only_one[:, None]  # areas only this site reaches
            group = np.array(
                [a.population_for(service_type.target_group) or 0 for a in areas], dtype=float
            )
            loss = coverage_loss(cover, group, everyone)
            for row, i in enumerate(members):
                if sole[:, row].any():
                    reviews[i].coverage_by_service.append((service_type, int(loss[row])))
                    lost[i] |= sole[:, row]
        for i, review in enumerate(reviews):
            review.coverage = int(totals[lost[i]].sum())

    if offering:
        columns = list(offering)
        incidence = np.zeros((n, len(columns)), dtype=np.int32)
        for col, type_id in enumerate(columns):
            incidence[offering[type_id], col] = 1
        shared = incidence @ incidence.T
        np.fill_diagonal(shared, 0)
        # Most shared services first; among equals the nearest (distances < 1e7 m; a site out
        # of reach comes after every one in reach).
        score = np.where(shared > 0, shared * 1e7 - np.minimum(between, 1e7 - 1), -np.inf)
        best = score.argmax(axis=1)
        for i, review in enumerate(reviews):
            j = int(best[i])
            if np.isfinite(score[i, j]):
                review.neighbour = reviews[j].site
                review.neighbour_m = float(between[i, j]) if np.isfinite(between[i, j]) else None
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
        and review.neighbour_m is not None
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
