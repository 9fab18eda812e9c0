"""Solving an optimisation run: which sites (and, shared, which services where) to choose.

Reads the run's inputs, calls the solvers of `siting` and explains each chosen site by the
demand it adds. Writes nothing: the run's lifecycle and the saving of its answer as a new
scenario are `scenarios.runs`, which passes in how progress is reported (and a cancel noticed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from scenarios.inputs import (
    PlanInputs,
    clean_float,
    demand_points,
    group_of,
    optimisation_pool,
    placements,
    scenario_inputs,
    shared_pool,
    site_facilities,
)
from scenarios.models import OptimisationRun, SitingModel
from scenarios.premises import free_floor_areas, overrides_for, screen
from sites.models import ServiceType, Site
from siting import Service as SitingService
from siting import (
    covered_weight,
    explain_solution,
    reach,
    solve_lscp_cover,
    solve_mclp_cover,
    solve_multi_service,
    solve_pmedian,
)
from siting.walks import within

# Reports (percent done, untranslated stage) and raises to stop the run there.
Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Answer:
    """A run's answer: its summary for the run's page, and the new scenario to save."""

    summary: dict
    name: str  # of the new scenario, in Chinese
    additions: list[tuple[int, ServiceType]]  # (site id, service) the new scenario adds
    name_en: str = ""


# Short names of the models for the scenarios a run saves (the run's page links the base
# scenario, so the name need not repeat it). Saved in both languages whatever the page's.
SHORT_LABELS = {
    SitingModel.MCLP: gettext_noop("Max coverage"),
    SitingModel.PMEDIAN: gettext_noop("Shortest walk"),
    SitingModel.LSCP: gettext_noop("Fewest sites"),
    SitingModel.SHARED: gettext_noop("Shared buildings"),
}


def _short_labels(model: str) -> tuple[str, str]:
    """The model's short label in Chinese and in English."""
    with translation.override("zh-hans"):
        chinese = gettext(SHORT_LABELS[model])
    return chinese, SHORT_LABELS[model]


def answer(run: OptimisationRun, progress: Progress) -> Answer:
    """Solve ``run`` (with its scenario and service type loaded)."""
    if run.model == SitingModel.SHARED:
        return _answer_shared(run, progress)
    return _answer_single(run, progress)


def _answer_single(run: OptimisationRun, progress: Progress) -> Answer:
    scenario, service_type = run.scenario, run.service_type
    if service_type.threshold_m is None:
        raise ValueError(gettext("This service has no walking threshold to optimise against."))

    progress(10, gettext_noop("Reading demand and candidate sites"))
    providers, others = optimisation_pool(scenario, service_type)
    locked_ids = set(run.locked_site_ids)
    excluded_ids = set(run.excluded_site_ids)
    # Only suitable premises are offered (a site the planner locked stays: their choice).
    screening = screen(others, service_type, scenario)
    offered = {s.pk for s in screening.offered}
    others = [s for s in others if s.pk in offered or s.pk in locked_ids]
    if not others and screening.verdicts and run.model != SitingModel.LSCP:
        raise ValueError(
            gettext(
                "No candidate premises is suitable for this service (type, floor or floor "
                "area): record a planner's decision to offer one."
            )
        )
    pool = providers + others
    fixed = np.array([s.pk in locked_ids for s in pool], dtype=bool)
    excluded = np.array([s.pk in excluded_ids and s.pk not in locked_ids for s in pool], bool)
    inputs = scenario_inputs(scenario, [service_type])
    demand = demand_points(inputs, service_type)
    candidates = site_facilities(pool)
    threshold = float(service_type.threshold_m)
    walks = inputs.walks.for_sites([s.pk for s in pool])

    progress(30, gettext_noop("Solving"))
    solution = solve(
        model=run.model,
        demand=demand,
        candidates=candidates,
        cover=within(walks, threshold),
        p=int(fixed.sum()) + (run.new_sites or 0),
        target_share=float(run.target_share) if run.target_share is not None else None,
        fixed=fixed,
        excluded=excluded,
        method=run.method,
        time_limit=float(run.time_limit_s),
    )

    progress(80, gettext_noop("Explaining the choice"))
    chosen = [int(j) for j in solution.chosen]
    explanations = explain(
        inputs=inputs,
        demand=demand,
        candidates=candidates,
        pool=pool,
        chosen=chosen,
        threshold_m=threshold,
        walks=walks,
    )
    provider_ids = {s.pk for s in providers}
    new_ids = [pool[j].pk for j in chosen if pool[j].pk not in provider_ids]
    for entry in explanations:  # map colours: new sites as planned ones
        entry["status"] = "operating" if entry["site_id"] in provider_ids else "selected"
    dropped = [s.pk for s in providers if s.pk not in {pool[j].pk for j in chosen}]

    cover = within(walks, threshold)
    starting = np.zeros(len(pool), dtype=bool)
    starting[: len(providers)] = True
    result = np.zeros(len(pool), dtype=bool)
    result[chosen] = True
    summary = {
        "residents": [residents_reached(service_type, cover, demand, starting, result)],
        "solution": _solution_summary(solution, solution.model),
        "chosen": explanations,
        "new_site_ids": new_ids,
        "not_kept_site_ids": dropped,
        "candidates": len(pool),
        "screened": [
            v.as_dict(service_type)
            for v in screening.verdicts
            if not v.offered or v.override is not None
        ],
        "floor_areas": [floor_area_entry(service_type)],
    }
    if run.model == SitingModel.LSCP:
        detail = f"{float(run.target_share):.0%}"
    else:
        detail = f"+{run.new_sites}"
    zh, en = (
        f"{short} · {service} {detail}"
        for short, service in zip(
            _short_labels(run.model), (service_type.name_zh, service_type.name_en), strict=True
        )
    )
    return Answer(summary, zh, [(site_id, service_type) for site_id in new_ids], name_en=en)


def _answer_shared(run: OptimisationRun, progress: Progress) -> Answer:
    """Place several services into buildings at once (the life-box problem).

    Each building's floor area, less what services outside the plan take there, is shared by
    the planned services at their standard's minimum area; services already offered keep
    their building (fixed placements).
    """
    scenario, types = run.scenario, run.shared_service_types()
    if len(types) < 2 or any(t.threshold_m is None for t in types):
        raise ValueError(gettext("Choose at least two services with a walking threshold."))

    progress(10, gettext_noop("Reading demand and candidate sites"))
    pool = shared_pool(scenario)
    offered = placements(scenario, pool)
    planned = {t.pk: i for i, t in enumerate(types)}
    # A service without a minimum in its standard takes 0 m² (the run page says so).
    need = np.array([float(t.min_floor_area_m2 or 0) for t in types])
    allowed, screened = _suitable(scenario, pool, types, offered)
    excluded_ids = set(run.excluded_site_ids)
    fixed, floor, excluded = [], np.zeros(len(pool)), []
    for b, site in enumerate(pool):
        here = offered.get(site.pk, {})
        others = sum(area for type_id, area in here.items() if type_id not in planned)
        placed = [planned[type_id] for type_id in here if type_id in planned]
        fixed += [(i, b) for i in placed]
        room = float(site.floor_area_m2) - others if site.floor_area_m2 is not None else 0.0
        if site.pk in excluded_ids:
            room = 0.0  # an excluded building keeps what it offers and gets nothing new
            if not placed:
                excluded.append(b)
        # Never less than its fixed placements need: a recorded area may be out of date.
        floor[b] = max(room, float(need[placed].sum()))
    fixed_buildings = {b for _, b in fixed}
    inputs = scenario_inputs(scenario, types)
    points = [demand_points(inputs, t) for t in types]
    buildings = site_facilities(pool)
    walks = inputs.walks.for_sites([s.pk for s in pool])
    services = [
        SitingService(
            name=t.code,
            radius_m=float(t.threshold_m),
            floor_area_m2=float(need[i]),
            weight=points[i].weight,
            cover=within(walks, float(t.threshold_m)),
        )
        for i, t in enumerate(types)
    ]

    progress(30, gettext_noop("Solving"))
    solution = solve_multi_service(
        points[0],
        services,
        buildings,
        floor,
        max_buildings=len(fixed_buildings) + int(run.new_sites),
        fixed=fixed,
        excluded=excluded,
        allowed=allowed,
        method=run.method,
        time_limit=float(run.time_limit_s),
    )

    progress(80, gettext_noop("Explaining the choice"))
    is_fixed = np.zeros_like(solution.placed)
    for i, b in fixed:
        is_fixed[i, b] = True
    new = solution.placed & ~is_fixed
    chosen = []
    for b in solution.buildings.tolist():
        site = pool[b]
        chosen.append(
            {
                "site_id": site.pk,
                "name": site.name,
                "lat": float(site.latitude),
                "lng": float(site.longitude),
                "status": "operating" if b in fixed_buildings else "selected",
                "services": [types[i].name for i in np.flatnonzero(solution.placed[:, b])],
                "new_services": [types[i].name for i in np.flatnonzero(new[:, b])],
                "area_used": clean_float(solution.area_used[b], 1),
                "floor_area": clean_float(floor[b], 1),
            }
        )
    per_service = [
        {
            "name": t.name,
            "covered": clean_float(solution.covered[i], 2),
            "share": clean_float(solution.covered[i] / points[i].weight.sum(), 4)
            if points[i].weight.sum() > 0
            else None,
            "sites": int(solution.placed[i].sum()),
        }
        for i, t in enumerate(types)
    ]
    residents = [
        residents_reached(
            t,
            services[i].cover,
            points[i],
            is_fixed[i],
            solution.placed[i],
        )
        for i, t in enumerate(types)
    ]
    additions = [(pool[b].pk, types[i]) for i, b in zip(*np.nonzero(new), strict=True)]
    new_pairs = [[site_id, service_type.pk] for site_id, service_type in additions]
    summary = {
        "residents": residents,
        "solution": _solution_summary(solution, SitingModel.SHARED.value),
        "chosen": chosen,
        "services": per_service,
        "new_site_ids": sorted({site_id for site_id, _ in new_pairs}),
        "new_pairs": new_pairs,
        "not_kept_site_ids": [],
        "candidates": len(pool),
        "screened": screened,
        "floor_areas": [floor_area_entry(t) for t in types],
    }
    zh, en = (f"{short} · +{run.new_sites}" for short in _short_labels(SitingModel.SHARED))
    return Answer(summary, zh, additions, name_en=en)


def _suitable(
    scenario, pool: Sequence[Site], types: Sequence[ServiceType], offered: dict
) -> tuple[np.ndarray, list[dict]]:
    """Services × buildings: where each service may be placed (suitable premises, or already
    there), and the summary's list of the premises screened out or decided by a planner."""
    allowed = np.zeros((len(types), len(pool)), dtype=bool)
    overrides = overrides_for(types)
    screened = []
    for i, service_type in enumerate(types):
        free = free_floor_areas(scenario, pool, besides=service_type, taken=offered)
        for b, verdict in enumerate(
            screen(pool, service_type, scenario, free=free, overrides=overrides).verdicts
        ):
            if service_type.pk in offered.get(verdict.site.pk, {}):
                allowed[i, b] = True
                continue
            allowed[i, b] = verdict.offered
            if not verdict.offered or verdict.override is not None:
                screened.append(verdict.as_dict(service_type))
    return allowed, screened


def floor_area_entry(service_type: ServiceType) -> dict:
    """The floor area a service takes in a plan, and where the figure comes from."""
    minimum = service_type.min_floor_area_m2
    entry = service_type.source_for("min_floor_area_m2")
    return {
        "service": service_type.name,
        "minimum": None if minimum is None else float(minimum),
        "source": entry.source,
        "clause": entry.clause,
        "status": entry.status,
    }


def residents_reached(
    service_type: ServiceType, cover, demand, before: np.ndarray, after: np.ndarray
) -> dict:
    """Residents of each group within the service's threshold of an open site, before (the
    starting scenario) and after (the answer), and the group the service is for: what the run
    page says first, before any solver word."""
    cover = reach(cover)  # walks within the threshold -> 0/1 (a walk of 0 m still reaches)
    groups = {}
    for group, population in demand.groups.items():
        groups[group] = {
            "before": clean_float(covered_weight(cover, population, before), 1),
            "after": clean_float(covered_weight(cover, population, after), 1),
            "total": clean_float(float(np.sum(population)), 1),
        }
    return {
        "service": service_type.pk,
        "threshold_m": clean_float(float(service_type.threshold_m), 0),
        "target": group_of(service_type),
        "groups": groups,
    }


def _solution_summary(solution, model: str) -> dict:
    return {
        "model": model,
        "method": solution.method,
        "objective": clean_float(solution.objective, 3),
        "bound": clean_float(solution.bound, 3),
        "gap": clean_float(solution.gap, 6),
        "seconds": clean_float(solution.seconds, 3),
        "status": solution.status,
    }


def solve(
    *,
    model: str,
    demand,
    candidates,
    cover,
    p: int,
    target_share: float | None,
    fixed: np.ndarray,
    excluded: np.ndarray,
    method: str,
    time_limit: float,
):
    """Call the chosen solver of `siting`. ``cover`` is the demand × candidate walks within the
    threshold (the one walking model); the p-median minimises the straight-line distance (its
    solver works from coordinates), which its run page says."""
    common = {"fixed": fixed, "excluded": excluded, "method": method, "time_limit": time_limit}
    if model == SitingModel.MCLP:
        return solve_mclp_cover(cover, demand.weight, p=p, **common)
    if model == SitingModel.PMEDIAN:
        return solve_pmedian(demand, candidates, p=p, **common)
    if model == SitingModel.LSCP:
        return solve_lscp_cover(cover, demand.weight, target=target_share, **common)
    raise ValueError(f"unknown model {model!r}")


def explain(
    *,
    inputs: PlanInputs,
    demand,
    candidates,
    pool: Sequence[Site],
    chosen: Sequence[int],
    threshold_m: float,
    walks,
) -> list[dict]:
    """For each chosen site: the demand only it covers among the chosen, and the areas it serves.

    ``walks``: demand × pool walking metres (the one walking model)."""
    items = explain_solution(demand, candidates, chosen, threshold_m=threshold_m, walks=walks)
    area_names = [a.name for a in inputs.areas]
    area_index = inputs.points.area_index
    return [
        {
            "site_id": pool[e.position].pk,
            "name": pool[e.position].name,
            "lat": float(pool[e.position].latitude),
            "lng": float(pool[e.position].longitude),
            "gain": clean_float(e.marginal_weight, 2),
            "served": clean_float(e.served_weight, 2),
            "areas": sorted({area_names[i] for i in area_index[e.served].tolist()}),
        }
        for e in items
    ]
