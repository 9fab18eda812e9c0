"""Demo scenarios: today, the four candidate premises opened, the hazardous sites closed.

Idempotent: scenarios are found by name and brought to the same changes; results are only
recomputed when their inputs changed. Site positions are illustrative, as in sites.demo.
"""

from __future__ import annotations

from django.db import transaction

from scenarios.models import Scenario, ScenarioAddition
from scenarios.services import evaluate_scenario
from sites.models import ServiceStatus, ServiceType, Site, SiteService

TODAY = "现状"
OPEN_FOUR = "启用四处候选场地"
SUBTRACT = "做减法：关闭有隐患的站点"
# Each demo scenario's English name, and the one name it had before names came in two
# languages (so that loading again renames it rather than adding a second one).
NAMES_EN = {
    TODAY: ("Today", "现状 today"),
    OPEN_FOUR: ("Open the four candidate premises", "open the four candidate premises"),
    SUBTRACT: ("Subtraction: close the hazardous sites", "subtract: close the hazardous sites"),
}

# The four candidate premises of the Fenglin story, found by address. Each opens with the
# services the register plans for it; one without planned services gets the listed ones that it
# does not offer yet (零陵路231号 takes over the meals of the closed snack canteen).
CANDIDATE_PREMISES = {
    "中山南二路930号": ["elderly_day_care", "canteen"],
    "零陵路231号": ["canteen"],
    "零陵路404号": ["nursery"],
    "小木桥路440弄22号甲": ["canteen", "culture_station"],
}


def _premises() -> list[tuple[Site, list[tuple[ServiceType, object, object]]]]:
    """Each candidate premises found in the register with (service, floor area, capacity)."""
    types = {t.code: t for t in ServiceType.objects.active()}
    found = []
    for address, fallback in CANDIDATE_PREMISES.items():
        site = Site.objects.filter(address__contains=address).order_by("pk").first()
        if site is None:
            continue
        planned = list(
            SiteService.objects.filter(site=site, status=ServiceStatus.PLANNED).select_related(
                "service_type"
            )
        )
        if planned:
            services = [(p.service_type, p.floor_area_m2, p.daily_capacity) for p in planned]
        else:
            offered = set(
                SiteService.objects.filter(site=site, status=ServiceStatus.OPERATING).values_list(
                    "service_type__code", flat=True
                )
            )
            services = [
                (types[code], None, None)
                for code in fallback
                if code in types and code not in offered
            ]
        found.append((site, services))
    return found


def _scenario(name: str, description: str) -> Scenario:
    name_en, earlier = NAMES_EN[name]
    scenario = Scenario.objects.filter(name__in=[name, earlier]).order_by("pk").first()
    if scenario is None:
        scenario = Scenario.objects.create(name=name, name_en=name_en, description=description)
    elif (scenario.name, scenario.name_en) != (name, name_en):
        scenario.name, scenario.name_en = name, name_en
        scenario.save(update_fields=["name", "name_en"])
    return scenario


@transaction.atomic
def load(*, stdout, responses: int = 0, seed: int = 0) -> None:
    today = _scenario(
        TODAY,
        "Today's operating sites, unchanged: the baseline to compare plans with.",
    )

    open_four = _scenario(
        OPEN_FOUR,
        "The four candidate premises found in the field surveys opened with the services "
        "planned for them (illustrative positions).",
    )
    premises = _premises()
    for site, services in premises:
        for service, floor_area, capacity in services:
            ScenarioAddition.objects.get_or_create(
                scenario=open_four,
                site=site,
                service_type=service,
                defaults={"floor_area_m2": floor_area, "daily_capacity": capacity},
            )

    subtract = _scenario(
        SUBTRACT,
        "Subtraction: every operating site with a recorded fire, building or food hazard closed.",
    )
    hazardous = list(Site.objects.operating().hazardous())
    if set(subtract.closed_sites.all()) != set(hazardous):
        subtract.closed_sites.set(hazardous)

    for scenario in (today, open_four, subtract):
        evaluate_scenario(scenario=scenario)
    stdout.write(
        f"Scenarios: {TODAY!r}, {OPEN_FOUR!r} ({len(premises)} premises), "
        f"{SUBTRACT!r} ({len(hazardous)} sites closed); evaluated."
    )
