"""Scenario writes: create, edit, add and remove services at sites, copy, save evaluations.

Keyword-only, each in one transaction. Reads are in `scenarios.selectors`, evaluation in
`scenarios.evaluation`, optimisation runs in `scenarios.runs`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from fenglin.archive import set_archived
from fenglin.versioning import Loaded, ensure_unchanged
from scenarios.evaluation import current_results
from scenarios.inputs import scenario_inputs
from scenarios.models import PremisesOverride, Scenario, ScenarioAddition, ScenarioResult
from sites.models import ServiceType, Site


@transaction.atomic
def evaluate_scenario(*, scenario: Scenario, force: bool = False) -> dict[int, ScenarioResult]:
    """Save the scenario's results per service type: every stale one (or, forced, every one)
    is recomputed and saved, and results of services without a walking standard are dropped.

    A saved result is kept only while its fingerprint equals that of the current inputs. Pages
    never call this (they read `scenarios.evaluation.scenario_results`); the "Evaluate" button,
    the demo loader and scripts do.
    """
    inputs = scenario_inputs(scenario)
    saved = {r.service_type_id: r for r in scenario.results.all()}
    results, stale = current_results(scenario=scenario, inputs=inputs, saved=saved, force=force)
    if stale:
        ScenarioResult.objects.bulk_create(
            stale,
            update_conflicts=True,
            unique_fields=["scenario", "service_type"],
            update_fields=["fingerprint", "metrics", "computed_at"],
        )
    gone = set(saved) - set(results)
    if gone:
        scenario.results.filter(service_type__in=gone).delete()
    return results


@transaction.atomic
def create_scenario(
    *,
    name: str,
    user,
    description: str = "",
    surveys: Iterable = (),
    closed_sites: Iterable = (),
    **parameters,
) -> Scenario:
    """A scenario starting from today's operating sites."""
    scenario = Scenario(
        name=name, description=description, created_by=acting_user(user), **parameters
    )
    scenario.full_clean()
    scenario.save()
    scenario.surveys.set(surveys)
    scenario.closed_sites.set(closed_sites)
    return scenario


@transaction.atomic
def save_scenario(
    *, scenario: Scenario, surveys: Iterable, closed_sites: Iterable, loaded: Loaded | None = None
) -> Scenario:
    """Save an edited scenario with its surveys and closed sites.

    Raises EditConflict when someone else saved a field of the form since it was loaded.
    """
    ensure_unchanged(scenario, loaded)
    scenario.full_clean()
    scenario.save()
    scenario.surveys.set(surveys)
    scenario.closed_sites.set(closed_sites)
    # A closed site adds nothing: drop its additions so the lists stay consistent.
    scenario.additions.filter(site__in=scenario.closed_sites.all()).delete()
    return scenario


@transaction.atomic
def add_to_scenario(
    *,
    scenario: Scenario,
    site: Site,
    service_type: ServiceType,
    floor_area_m2: Decimal | None = None,
    daily_capacity: int | None = None,
) -> tuple[ScenarioAddition, bool]:
    """Add a service at a site to the scenario: (the addition, whether it is new).

    The same addition posted twice (a double click, a retry) is stored once: the second time
    returns the first one. The same site and service with other figures raises ValidationError.
    """
    key = {"scenario": scenario, "site": site, "service_type": service_type}
    existing = ScenarioAddition.objects.filter(**key).first()
    if existing is None:
        addition = ScenarioAddition(
            **key, floor_area_m2=floor_area_m2, daily_capacity=daily_capacity
        )
        addition.full_clean()
        try:
            with transaction.atomic():
                addition.save()
        except IntegrityError:
            # A concurrent request stored it between the check above and this insert.
            existing = ScenarioAddition.objects.filter(**key).first()
            if existing is None:
                raise
        else:
            Scenario.objects.filter(pk=scenario.pk).update(updated_at=timezone.now())
            return addition, True
    if (existing.floor_area_m2, existing.daily_capacity) != (floor_area_m2, daily_capacity):
        raise ValidationError(
            {"service_type": gettext("The scenario already adds this service here.")},
            code="unique",
        )
    return existing, False


@transaction.atomic
def remove_from_scenario(*, addition: ScenarioAddition) -> None:
    scenario_pk = addition.scenario_id
    addition.delete()
    Scenario.objects.filter(pk=scenario_pk).update(updated_at=timezone.now())


@transaction.atomic
def copy_scenario(
    *, scenario: Scenario, name: str, user, description: str = "", name_en: str = ""
) -> Scenario:
    """A new scenario with the same parameters and changes."""
    copy = create_scenario(
        name=name,
        name_en=name_en,
        user=user,
        description=description,
        surveys=scenario.surveys.all(),
        closed_sites=scenario.closed_sites.all(),
        speed_m_per_min=scenario.speed_m_per_min,
        elderly_speed_m_per_min=scenario.elderly_speed_m_per_min,
        prior_strength=scenario.prior_strength,
    )
    ScenarioAddition.objects.bulk_create(
        ScenarioAddition(
            scenario=copy,
            site_id=a.site_id,
            service_type_id=a.service_type_id,
            floor_area_m2=a.floor_area_m2,
            daily_capacity=a.daily_capacity,
        )
        for a in scenario.additions.all()
    )
    return copy


@transaction.atomic
def archive_scenario(*, scenario: Scenario, user) -> Scenario:
    """Hide a scenario from the list; its additions, results and history are kept, and the
    runs that produced it still link to it. Undone by restore_scenario."""
    set_archived(scenario, archived=True, user=acting_user(user))
    return scenario


@transaction.atomic
def restore_scenario(*, scenario: Scenario, user) -> Scenario:
    set_archived(scenario, archived=False, user=acting_user(user))
    return scenario


def acting_user(user):
    """The signed-in user who acts, or None (anonymous, or a command without one)."""
    return user if user is not None and user.is_authenticated else None


@transaction.atomic
def decide_premises(
    *, site: Site, service_type: ServiceType, allowed: bool | None, reason: str, user
) -> PremisesOverride | None:
    """Record a planner's decision on offering ``site`` for ``service_type`` (None: follow the
    premises screen again). The history keeps each earlier decision and its reason."""
    existing = PremisesOverride.objects.filter(site=site, service_type=service_type).first()
    if allowed is None:
        if existing is not None:
            existing._change_reason = reason
            existing.delete()
        return None
    decision = existing or PremisesOverride(site=site, service_type=service_type)
    decision.allowed = allowed
    decision.reason = reason.strip()
    decision.decided_by = acting_user(user)
    decision.full_clean()
    decision.save()
    return decision
