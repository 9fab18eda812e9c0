"""Evaluating a plan: coverage per service and population group, unmet demand, site loads.

`evaluate_service` is the arithmetic (arrays from `scenarios.inputs`, `siting` underneath).
`scenario_results` reads a scenario's current results without writing anything: a saved result
is used while its fingerprint (a digest of every input) still matches, else the shared cache
keyed by that fingerprint, else the figures are computed and the cache layer keeps them.

Why not save on read: the inputs change in every app (sites move, services stop, residents
answer surveys, areas get new populations) and those apps may not import this one, so no write
there can refresh a scenario's saved results. A digest of the inputs is a cache key that can
never be stale, so reads compute or reuse, and only a deliberate evaluation saves
(`scenarios.services.evaluate_scenario`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np
from django.utils import timezone

from fenglin.cache import remember
from scenarios.inputs import (
    GROUPS,
    PlanInputs,
    clean_float,
    demand_points,
    json_floats,
    provider_facilities,
    scenario_inputs,
)
from scenarios.models import Scenario, ScenarioResult
from sites.models import ServiceType
from siting import DemandPoints, coverage_loss, evaluate_coverage, reach
from siting.walks import within

# Bump when the metrics' meaning or layout changes: every saved result becomes stale.
METRICS_VERSION = 4

# Results are keyed by their inputs' digest, so any lifetime is correct; this one bounds memory.
RESULT_CACHE_SECONDS = 24 * 3600


def evaluate_service(inputs: PlanInputs, service_type: ServiceType) -> dict:
    """The coverage metrics of one service type in a plan, as a JSON-safe dict."""
    params = inputs.params
    threshold = float(service_type.threshold_m)
    providers = inputs.providers.get(service_type.pk, [])
    facilities = provider_facilities(providers)
    speed = params.speed_for(service_type.target_group)
    group_speed = {str(g): params.speed_for(g) for g in GROUPS}
    demand = demand_points(inputs, service_type)
    walks = inputs.provider_walks(providers)
    result = evaluate_coverage(
        demand,
        facilities,
        threshold,
        speed_m_per_min=speed,
        group_speed_m_per_min=group_speed,
        walks=walks,
    )
    pts = inputs.points
    n_areas = len(inputs.areas)
    rows = inputs.demand_rows(service_type)
    unmet = np.bincount(pts.area_index, weights=result.uncovered_weight, minlength=n_areas)

    # The gap check and the nearest site are measured from each area's centre, as far as the
    # area pages measure (sites.travel.REACH_LIMIT_M), so that both say the same figure.
    clat, clng = inputs.centroids
    centre = evaluate_coverage(
        DemandPoints.from_arrays(clat, clng),
        facilities,
        threshold,
        speed_m_per_min=speed,
        walks=inputs.provider_walks(providers, centres=True),
    )
    # One extra entry so that "no site" (index -1) stays a valid index; without a site within
    # reach (sites.travel.REACH_LIMIT_M) the distance and minutes are stored as None, and the
    # centre is not covered.
    site_ids = np.array([p.site_id for p in providers] + [0], dtype=np.int64)
    nearest_ids = [
        int(site_id) if found else None
        for site_id, found in zip(
            site_ids[centre.nearest].tolist(), (centre.nearest >= 0).tolist(), strict=True
        )
    ]
    keys = (
        "area_id",
        "demand",
        "unmet",
        "uses_population",
        "nearest_site_id",
        "nearest_m",
        "minutes",
        "centre_covered",
    )
    columns = zip(
        inputs.area_ids,
        json_floats([r.demand for r in rows], 4),
        json_floats(unmet, 4),
        [r.uses_population for r in rows],
        nearest_ids,
        json_floats(centre.walk_m, 1),
        json_floats(centre.minutes, 1),
        centre.covered.tolist(),
        strict=True,
    )
    areas = [dict(zip(keys, values, strict=True)) for values in columns]
    # "Subtraction": the demand only this site covers (lost if it alone closed); the rest of its
    # load has another site within the threshold. Sparse: pairs within reach only.
    cover = reach(within(walks, threshold))
    loss = coverage_loss(cover, demand.weight, np.ones(len(providers), dtype=bool))
    picked_up = np.maximum(result.load - loss, 0.0)
    sites = [
        {
            "site_id": p.site_id,
            "name": p.name,
            "lat": p.lat,
            "lng": p.lng,
            "added": p.added,
            "load": load,
            "capacity": p.capacity,
            "utilisation": utilisation,
            "floor_area": p.floor_area,
            "loss_if_closed": site_loss,
            "picked_up_if_closed": site_picked,
        }
        for p, load, utilisation, site_loss, site_picked in zip(
            providers,
            json_floats(result.load, 2),
            json_floats(result.utilisation, 4),
            json_floats(loss, 2),
            json_floats(picked_up, 2),
            strict=True,
        )
    ]
    group_population = {g: clean_float(pop.sum(), 1) for g, pop in inputs.populations.items()}
    return {
        "version": METRICS_VERSION,
        "threshold_m": threshold,
        "walking_key": inputs.walks.model.key,
        "on_network": inputs.walks.model.on_network,
        "reach_limit_m": inputs.walks.limit_m,
        "speed": speed,
        # Where the demand comes from: "survey", "standard" (the per-1,000 ratio) or "none"
        # (nothing measured it: the pages say so instead of showing 0), and its unit.
        "demand_measured": any(r.source != "none" for r in rows),
        "demand_from_standard": any(r.source == "standard" for r in rows),
        "demand_unit": next((r.unit for r in rows if r.source != "none"), "people"),
        "total_demand": clean_float(result.total_weight),
        "covered_demand": clean_float(result.covered_weight),
        "unmet_demand": clean_float(result.total_weight - result.covered_weight),
        "share_covered": clean_float(result.share_covered),
        "group_share": {g: clean_float(v) for g, v in result.group_share.items()},
        "group_population": group_population,
        "mean_minutes": clean_float(result.mean_minutes, 2),
        "group_mean_minutes": {g: clean_float(v, 2) for g, v in result.group_mean_minutes.items()},
        "site_count": len(providers),
        "added_count": sum(p.added for p in providers),
        "fallback_areas": sum(not r.uses_population for r in rows),
        "areas": areas,
        "sites": sites,
    }


def fingerprint(inputs: PlanInputs, service_type: ServiceType) -> str:
    """A hash of every input of one service's evaluation.

    Parameters, the surveys' results versions, the service's standard, the areas' positions and
    populations, each area's demand figures and the providers' rows: any change gives a new hash.
    """
    payload = {
        "version": METRICS_VERSION,
        "params": inputs.params.as_dict(),
        "surveys": [[s.pk, s.results_version] for s in inputs.surveys],
        "service": [service_type.pk, service_type.threshold_m, service_type.target_group],
        "walking": inputs.walking_model.key,
        "areas": inputs.areas_key,
        "demand": [
            [r.area.pk, r.respondents, r.choosers, repr(r.demand)]
            for r in inputs.demand_rows(service_type)
        ],
        "providers": sorted(p.key() for p in inputs.providers.get(service_type.pk, [])),
    }
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _computed(inputs: PlanInputs, service_type: ServiceType) -> tuple[dict, datetime]:
    return evaluate_service(inputs, service_type), timezone.now()


def current_results(
    *,
    scenario: Scenario,
    inputs: PlanInputs,
    saved: Mapping[int, ScenarioResult],
    force: bool = False,
) -> tuple[dict[int, ScenarioResult], list[ScenarioResult]]:
    """Each service type's result for ``inputs``, and those of them that are not ``saved``.

    A saved result is kept while its fingerprint matches; otherwise (or, forced, always) the
    result is new and unsaved, with figures from the shared cache or, forced, computed anew.
    Writes nothing to the database: saving the new ones is the caller's business.
    """
    results, new = {}, []
    for service_type in inputs.service_types:
        fp = fingerprint(inputs, service_type)
        result = saved.get(service_type.pk)
        if force or result is None or result.fingerprint != fp:
            if force:
                metrics, computed_at = _computed(inputs, service_type)
            else:
                metrics, computed_at = remember(
                    f"scenarios:result:{fp}",
                    lambda service_type=service_type: _computed(inputs, service_type),
                    timeout=RESULT_CACHE_SECONDS,
                    purpose="scenario results",
                )
            result = ScenarioResult(
                scenario=scenario,
                service_type=service_type,
                fingerprint=fp,
                metrics=metrics,
                computed_at=computed_at,
            )
            new.append(result)
        result.service_type = service_type
        results[service_type.pk] = result
    return results, new


def scenario_results(
    scenario: Scenario, service_types: Sequence[ServiceType] | None = None
) -> tuple[PlanInputs, dict[int, ScenarioResult]]:
    """The scenario's inputs and its up-to-date result per service type (those with a walking
    standard unless given), read or computed but never saved."""
    inputs = scenario_inputs(scenario, service_types)
    saved = scenario.results.filter(service_type__in=[t.pk for t in inputs.service_types])
    results, _new = current_results(
        scenario=scenario, inputs=inputs, saved={r.service_type_id: r for r in saved}
    )
    return inputs, results
