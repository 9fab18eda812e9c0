"""Reads for the planning pages: lists, page data and map data. Nothing here writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scenarios.evaluation import evaluate_service, scenario_results
from scenarios.gaps import gap_matrix, sort_gap_rows
from scenarios.inputs import GROUPS, Parameters, PlanInputs, today_inputs
from scenarios.models import OptimisationRun, Scenario, ScenarioResult
from sites.models import Area, ServiceType, Site, TargetGroup
from siting.constants import DETOUR_FACTOR
from surveys.demand import DemandRow, DemandSource, demand_table, used_surveys
from surveys.models import Survey, SurveyStatus


def scenario_list(*, archived: bool = False) -> QuerySet[Scenario]:
    """The scenarios list: archived ones only when asked for (then beside the others)."""
    scenarios = Scenario.objects.all() if archived else Scenario.objects.filter(archived_at=None)
    return scenarios.annotate(
        additions_count=Count("additions", distinct=True),
        closed_count=Count("closed_sites", distinct=True),
    ).select_related("created_by")


def recent_runs(limit: int = 10) -> list[OptimisationRun]:
    return list(
        OptimisationRun.objects.select_related("scenario", "service_type", "result_scenario")[
            :limit
        ]
    )


# --- The planners' landing page -------------------------------------------------------------


@dataclass(frozen=True)
class PlanningOverview:
    """What a planner sees first: the gaps today, the areas with most of them and how the open
    surveys are going (the latest runs come from recent_runs)."""

    gaps: int  # area × service cells where not every resident of the group is within reach
    cells: int
    worst: list  # GapRow, most gaps first
    surveys: list  # open Survey rows with `answers` and `answers_this_week`


def planning_overview(worst: int = 5) -> PlanningOverview:
    matrix = gaps(Parameters(), sort="-gaps")
    rows = matrix["rows"]
    week_ago = timezone.now() - timedelta(days=7)
    surveys = list(
        Survey.objects.filter(status=SurveyStatus.OPEN, archived_at=None)
        .annotate(
            answers=Count("responses"),
            answers_this_week=Count("responses", filter=Q(responses__submitted_at__gte=week_ago)),
        )
        .order_by("-opens_at", "pk")
    )
    return PlanningOverview(
        gaps=sum(row.gaps for row in rows),
        cells=len(rows) * len(matrix["service_types"]),
        worst=[row for row in rows if row.gaps][:worst],
        surveys=surveys,
    )


# --- Demand ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemandSummary:
    """One service's demand over the street, with what it rests on (the first row's group,
    questions and standard: they are the same in every area)."""

    service_type: ServiceType
    demand: float | None  # None where nothing measured it in any area
    respondents: int
    choosers: int
    street_rate: float
    source: str  # "survey", "standard" (in at least one area) or "none"
    source_label: str
    unit_label: str
    group_label: str
    population_basis: str
    questions: tuple[str, ...]
    standard_ratio: float | None
    standard_reference: str
    fallback_areas: int  # areas counted by respondents: no population figure
    unmeasured_areas: int  # areas with neither survey nor standard figure
    illustrative: bool


def summarise(rows: Sequence[DemandRow]) -> DemandSummary:
    """The street-wide summary of one service's rows (at least one)."""
    first = rows[0]
    measured = [r for r in rows if r.measured is not None]
    sources = {r.source for r in rows}
    source = next((s for s in (DemandSource.SURVEY, DemandSource.STANDARD) if s in sources), "none")
    shown = next((r for r in rows if r.source == source), first)
    return DemandSummary(
        service_type=first.service_type,
        demand=sum(r.demand for r in measured) if measured else None,
        respondents=sum(r.respondents for r in rows),
        choosers=sum(r.choosers for r in rows),
        street_rate=first.street_rate,
        source=source,
        source_label=shown.source_label,
        unit_label=shown.unit_label,
        group_label=first.group_label,
        population_basis=shown.population_basis,
        questions=first.questions,
        standard_ratio=first.standard_ratio,
        standard_reference=first.standard_reference,
        fallback_areas=sum(r.source == DemandSource.SURVEY and not r.uses_population for r in rows),
        unmeasured_areas=len(rows) - len(measured),
        illustrative=any(r.illustrative for r in rows),
    )


def demand_overview(params: Parameters) -> tuple[list[DemandSummary], list]:
    """The demand of every active service type over the street, and the surveys used."""
    surveys = list(used_surveys(params.survey_ids))
    by_service: dict[int, list[DemandRow]] = {}
    for row in demand_table(survey_ids=params.survey_ids, k=params.k):
        by_service.setdefault(row.service_type.pk, []).append(row)
    return [summarise(rows) for rows in by_service.values()], surveys


def demand_detail(params: Parameters, service_type: ServiceType) -> tuple[list[DemandRow], list]:
    surveys = list(used_surveys(params.survey_ids))
    rows = demand_table(survey_ids=params.survey_ids, k=params.k, service_types=[service_type])
    return rows, surveys


def demand_map_items(rows: Sequence[DemandRow]) -> list[dict]:
    return [
        {
            "name": r.area.name,
            "lat": float(r.area.centroid_lat),
            "lng": float(r.area.centroid_lng),
            "value": r.demand,
            "label": f"{r.demand:.1f}",
        }
        for r in rows
        if r.measured is not None
    ]


# --- Coverage ----------------------------------------------------------------------------------


def coverage_overview(params: Parameters) -> tuple[PlanInputs, list[tuple[ServiceType, dict]]]:
    """Today's coverage of every service type with a walking standard."""
    inputs = today_inputs(params=params, service_types=list(ServiceType.objects.with_standard()))
    return inputs, [(t, evaluate_service(inputs, t)) for t in inputs.service_types]


def coverage_detail(params: Parameters, service_type: ServiceType) -> tuple[PlanInputs, dict]:
    inputs = today_inputs(params=params, service_types=[service_type])
    return inputs, evaluate_service(inputs, service_type)


def area_rows(inputs: PlanInputs, metrics: dict) -> list[dict]:
    """The metrics' per-area figures joined with the areas and nearest site names."""
    areas = {a.pk: a for a in inputs.areas}
    names = {s["site_id"]: s["name"] for s in metrics["sites"]}
    return [
        {**row, "area": areas[row["area_id"]], "nearest_name": names.get(row["nearest_site_id"])}
        for row in metrics["areas"]
        if row["area_id"] in areas
    ]


def coverage_map_data(inputs: PlanInputs, metrics: dict, closed: Sequence[Site] = ()) -> dict:
    """Sites, catchment rings and gaps.

    Rings only where walks are the straight line × the detour factor (the radius such a walk
    reaches); on the street network a circle would misstate the reach, so none is drawn.
    """
    radius = None if metrics["on_network"] else metrics["threshold_m"] / DETOUR_FACTOR
    areas = {a.pk: a for a in inputs.areas}
    return {
        "sites": [
            {
                "name": s["name"],
                "lat": s["lat"],
                "lng": s["lng"],
                "status": "selected" if s["added"] else "operating",
            }
            for s in metrics["sites"]
        ]
        + [
            {
                "name": s.display_name,
                "lat": float(s.latitude),
                "lng": float(s.longitude),
                "status": "closed",
            }
            for s in closed
        ],
        "radius": radius,
        "uncovered": [
            {
                "name": areas[a["area_id"]].name,
                "lat": float(areas[a["area_id"]].centroid_lat),
                "lng": float(areas[a["area_id"]].centroid_lng),
                "value": a["unmet"],
                "label": f"{a['unmet']:.1f}",
            }
            for a in metrics["areas"]
            if a["area_id"] in areas and (a["unmet"] or 0) > 0
        ],
    }


# --- Standards gaps ----------------------------------------------------------------------------


def gaps(params: Parameters, *, level: str = "", group: str = "", sort: str = "") -> dict:
    """The gap matrix of today's sites, filtered by level and target group, sorted."""
    types = ServiceType.objects.with_standard()
    if level:
        types = types.filter(level=level)
    if group:
        types = types.filter(target_group=group)
    inputs = today_inputs(params=params, service_types=list(types))
    rows = sort_gap_rows(gap_matrix(inputs), inputs.service_types, sort)
    return {"rows": rows, "service_types": inputs.service_types}


# --- Scenarios ---------------------------------------------------------------------------------


def scenario_detail(scenario: Scenario) -> dict:
    """A scenario's fresh results per service type and its scenario-wide figures."""
    _inputs, results = scenario_results(scenario)
    return {
        "results": list(results.values()),
        "summary": scenario_summary(scenario, results),
    }


def scenario_service(scenario: Scenario, service_type: ServiceType) -> tuple[PlanInputs, dict]:
    """The inputs and fresh metrics of one service in a scenario."""
    inputs, results = scenario_results(scenario, [service_type])
    return inputs, results[service_type.pk].metrics


def scenario_summary(scenario: Scenario, results: dict[int, ScenarioResult]) -> dict:
    """Scenario-wide figures for the comparison: floor area used, sites opened and closed."""
    additions = list(scenario.additions.all())
    floor = Decimal(0)
    missing_floor = 0
    for a in additions:
        if a.floor_area_m2 is not None:
            floor += a.floor_area_m2
        elif a.service_type.min_floor_area_m2 is not None:
            floor += a.service_type.min_floor_area_m2
            missing_floor += 1
        else:
            missing_floor += 1
    metrics = [r.metrics for r in results.values()]
    return {
        "floor_area": floor,
        "floor_area_estimated": missing_floor,
        "opened": sorted({a.site for a in additions}, key=lambda s: s.name),
        "closed": list(scenario.closed_sites.all()),
        "total_unmet": sum(m.get("unmet_demand") or 0 for m in metrics),
    }


def scenario_map_sites(scenario: Scenario, results) -> list[dict]:
    """Every site of the plan once: operating, added by the scenario, or closed by it."""
    sites: dict[int, dict] = {}
    for result in results:
        for s in result.metrics.get("sites", []):
            entry = sites.setdefault(
                s["site_id"],
                {
                    "name": s["name"],
                    "lat": s["lat"],
                    "lng": s["lng"],
                    "status": "operating",
                    "services": [],
                },
            )
            entry["services"].append(result.service_type.name)
            if s["added"]:
                entry["status"] = "selected"
    for site in scenario.closed_sites.all():
        sites[site.pk] = {
            "name": site.display_name,
            "lat": float(site.latitude),
            "lng": float(site.longitude),
            "status": "closed",
            "services": [],
        }
    return [
        {
            "name": s["name"],
            "lat": s["lat"],
            "lng": s["lng"],
            "status": s["status"],
            "label": ", ".join(sorted(set(s["services"]))),
        }
        for s in sites.values()
    ]


def group_averages(results) -> dict[str, float | None]:
    """Per population group: its share within reach, averaged over the service types."""
    out = {}
    for group in GROUPS:
        values = [
            r.metrics["group_share"].get(str(group))
            for r in results
            if r.metrics.get("group_population", {}).get(str(group))
        ]
        values = [v for v in values if v is not None]
        out[str(group)] = sum(values) / len(values) if values else None
    return out


def comparison(scenarios: Sequence[Scenario]) -> dict:
    """Two to four scenarios side by side: per service, per group, and scenario-wide."""
    columns = []
    for scenario in scenarios:
        _inputs, results = scenario_results(scenario)
        columns.append(
            {
                "scenario": scenario,
                "results": results,
                "summary": scenario_summary(scenario, results),
                "groups": group_averages(results.values()),
                "map_sites": scenario_map_sites(scenario, results.values()),
                "map_id": f"compare-map-{scenario.pk}",
                "data_id": f"compare-map-{scenario.pk}-data",
            }
        )
    types = []
    seen = set()
    for column in columns:
        for result in column["results"].values():
            if result.service_type.pk not in seen:
                seen.add(result.service_type.pk)
                types.append(result.service_type)
    rows = []
    for t in types:
        cells = [c["results"].get(t.pk) for c in columns]
        rows.append({"service_type": t, "cells": cells, "differs": _results_differ(cells)})
    group_rows = []
    for g in GROUPS:
        cells = [c["groups"][str(g)] for c in columns]
        group_rows.append({"group": g, "cells": cells, "differs": _differ(cells, 3)})
    return {"columns": columns, "rows": rows, "group_rows": group_rows}


def _differ(values: Sequence[float | None], digits: int) -> bool:
    """Whether the values differ as a page shows them (rounded)."""
    return len({None if v is None else round(v, digits) for v in values}) > 1


def _results_differ(cells: Sequence[ScenarioResult | None]) -> bool:
    """Whether a service's share covered, unmet demand or mean walk differ between scenarios."""
    if any(c is None for c in cells):
        return not all(c is None for c in cells)
    metrics = [c.metrics for c in cells]
    return (
        _differ([m.get("share_covered") for m in metrics], 3)
        or _differ([m.get("unmet_demand") for m in metrics], 1)
        or _differ([m.get("mean_minutes") for m in metrics], 1)
    )


def areas_by_pk() -> dict[int, Area]:
    return {a.pk: a for a in Area.objects.all()}


# --- Optimisation runs, in residents first -----------------------------------------------------

SOLVER_METHODS = {
    "exact": _("exact"),
    "heuristic": _("heuristic"),
    "auto": _("automatic"),
}
SOLVER_STATUSES = {
    "optimal": _("proven optimal"),
    "time_limit": _("best found before the time limit (not proven optimal)"),
    "heuristic": _("good answer, not proven optimal"),
    "memory": _("best found within the memory budget (not proven optimal)"),
    "failed": _("the exact solver failed; the heuristic's answer"),
}


@dataclass(frozen=True)
class ResidentsReached:
    """One group's residents within a service's threshold, before and after a run."""

    group: str
    label: str
    before: float
    after: float
    total: float
    is_target: bool

    @property
    def more(self) -> float:
        return self.after - self.before

    @property
    def before_share(self) -> float | None:
        return self.before / self.total if self.total else None

    @property
    def after_share(self) -> float | None:
        return self.after / self.total if self.total else None


@dataclass(frozen=True)
class RunGain:
    service_type: ServiceType
    threshold_m: float
    target: ResidentsReached
    groups: list[ResidentsReached]


def run_gains(run: OptimisationRun) -> list[RunGain]:
    """What a finished run changes for residents, per service: its target group first."""
    entries = run.summary.get("residents", [])
    types = ServiceType.objects.in_bulk([e["service"] for e in entries])
    labels = dict(TargetGroup.choices)
    gains = []
    for entry in entries:
        if entry["service"] not in types:
            continue
        rows = [
            ResidentsReached(
                group=group,
                label=str(labels.get(group, group)),
                before=figures["before"] or 0.0,
                after=figures["after"] or 0.0,
                total=figures["total"] or 0.0,
                is_target=group == entry["target"],
            )
            for group, figures in entry["groups"].items()
        ]
        target = next((r for r in rows if r.is_target), None)
        if target is None:
            continue
        gains.append(RunGain(types[entry["service"]], entry["threshold_m"], target, rows))
    return gains


def solver_words(solution: dict) -> dict:
    """The solver's method and status in the page's language."""
    return {
        "method": SOLVER_METHODS.get(solution.get("method"), solution.get("method", "")),
        "status": SOLVER_STATUSES.get(solution.get("status"), solution.get("status", "")),
    }
