"""Demand per neighbourhood area and service type, from the survey answers or, where no survey
measured a service, from the standard's per-1,000-resident ratio.

A service's group g is the respondents it is for: households with an elderly member (60+
services), with children (0–3, 3–6 and 6–12 services: the household question does not ask the
child's age), with a disabled member, or everyone. For area a and service s:

    N(a,s)  respondents of g in a, in the surveys used that offer s in a need question
    n(a,s)  of them, respondents who chose at least one choice pointing at s in a need question
    R(s)    = Σ_a n(a,s) / Σ_a N(a,s), the street-wide need rate of group g
    r(a,s)  = (k·R(s) + n(a,s)) / (k + N(a,s)), the area's rate shrunk towards R(s)
    demand  = r(a,s) × the area's population of s's age band (see BAND_BASIS),
              or n(a,s) where the area has no figure for it (flagged).

Only need questions count (`Question.measures`): "which services should the Tianlong life box
offer" is a preference about one site, not need across the street. Where no survey used asks
whether the household has a member of g (no choice marks respondents as g), every respondent
counts, and the row says so.

Where no respondent of g answered a survey that offers s, the survey measured nothing: demand is
the standard's per-1,000-resident ratio × the area's population / 1,000 (source "standard", in
places or m²). Where there is no ratio either, source is "none": `measured` is None and pages say
"not measured"; `demand` stays 0.0 so that sums and arrays need no special case.

Everything is counted with a few aggregate queries, whatever the number of responses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from fenglin.i18n import in_active_language
from sites.models import AgeBand, Area, ServiceType, TargetGroup
from surveys.models import (
    Answer,
    Choice,
    QuestionMeasures,
    RespondentGroup,
    Response,
    Survey,
    SurveyStatus,
)

DEFAULT_K = 10.0
ALL = "all"
FLAG = {
    RespondentGroup.ELDERLY: "has_elderly",
    RespondentGroup.CHILDREN: "has_children",
    RespondentGroup.DISABLED: "has_disabled",
}
GROUP_LABELS = {
    RespondentGroup.ELDERLY: _("households with an elderly member (60+)"),
    RespondentGroup.CHILDREN: _("households with children (age band of the service not asked)"),
    RespondentGroup.DISABLED: _("households with a disabled member"),
    ALL: _("all respondents"),
}
NOT_ASKED = _("all respondents: the surveys used did not ask whether the household has one")


class DemandSource(models.TextChoices):
    SURVEY = "survey", _("survey")
    STANDARD = "standard", _("from the standard's per-1,000 ratio (unconfirmed)")
    NONE = "none", _("not measured")


class DemandUnit(models.TextChoices):
    PEOPLE = "people", _("people")
    PLACES = "places", _("places")
    M2 = "m2", _("m²")


def _children_share(area: Area, share_0_6: float, share_7_14: float) -> float | None:
    parts = [
        (area.population_children_0_6, share_0_6),
        (area.population_children_7_14, share_7_14),
    ]
    if any(value is None for value, share in parts if share):
        return None
    return sum(value * share for value, share in parts if share)


# Children's figures come in two bands (0–6, 7–14): a service's band takes the share of single
# years of age it spans, counting both ends, assuming as many children of each age.
BAND_BASIS: dict[str, tuple[Callable[[Area], float | None], str]] = {
    AgeBand.ELDERLY: (lambda a: a.population_elderly, _("residents aged 60 or over")),
    AgeBand.DISABLED: (lambda a: a.population_disabled, _("disabled residents")),
    AgeBand.INFANTS: (
        lambda a: _children_share(a, 4 / 7, 0),
        _("children 0–6 × 4/7: ages 0, 1, 2 and 3 of the seven years 0–6, as many of each age"),
    ),
    AgeBand.PRESCHOOL: (
        lambda a: _children_share(a, 4 / 7, 0),
        _("children 0–6 × 4/7: ages 3, 4, 5 and 6 of the seven years 0–6, as many of each age"),
    ),
    AgeBand.SCHOOL: (
        lambda a: _children_share(a, 1 / 7, 6 / 8),
        _("children 0–6 × 1/7 + children 7–14 × 6/8: ages 6 to 12, as many of each age"),
    ),
}
GROUP_BASIS = {
    TargetGroup.ALL: _("all residents"),
    TargetGroup.ELDERLY: _("residents aged 60 or over"),
    TargetGroup.CHILDREN: _("children 0–14 (0–6 and 7–14)"),
    TargetGroup.DISABLED: _("disabled residents"),
    TargetGroup.WORKERS: _("all residents (no figure for workers)"),
}
STANDARD_BASIS = _("all residents: the standard's ratio is per 1,000 residents")


@dataclass(frozen=True)
class DemandRow:
    """The demand of one area for one service type, with every input that produced it."""

    area: Area
    service_type: ServiceType
    respondents: int  # N(a, s)
    choosers: int  # n(a, s)
    street_rate: float  # R(s)
    rate: float  # r(a, s)
    population: float | None  # the area's population the rate or ratio applies to
    demand: float  # 0.0 where nothing measured it (source "none"): see `measured`
    uses_population: bool  # False: demand falls back to the count n(a, s)
    group: str = ALL  # whose answers count: a RespondentGroup value or "all"
    group_label: str = ""
    population_basis: str = ""  # how `population` was derived from the area's figures
    questions: tuple[str, ...] = ()  # wording of the need questions offering the service
    source: str = DemandSource.SURVEY
    unit: str = DemandUnit.PEOPLE
    standard_ratio: float | None = None  # per 1,000 residents, where source is "standard"
    standard_reference: str = ""  # the ratio's source and clause
    illustrative: bool = False  # built on demo areas or demo survey responses

    @property
    def raw_rate(self) -> float | None:
        """n(a,s) / N(a,s), the unshrunk rate (None without respondents)."""
        return self.choosers / self.respondents if self.respondents else None

    @property
    def measured(self) -> float | None:
        """The demand, or None where neither a survey nor the standard measured it."""
        return None if self.source == DemandSource.NONE else self.demand

    @property
    def source_label(self) -> str:
        return DemandSource(self.source).label

    @property
    def unit_label(self) -> str:
        return DemandUnit(self.unit).label


def used_surveys(survey_ids: Iterable[int] | None = None):
    """The surveys whose responses count: the given ones, or every survey that is not a draft."""
    surveys = Survey.objects.all()
    if survey_ids is None:
        return surveys.exclude(status=SurveyStatus.DRAFT)
    return surveys.filter(pk__in=list(survey_ids))


def shrunk_rate(n: int, big_n: int, street_rate: float, k: float) -> float:
    """r = (k·R + n) / (k + N); R itself where there is neither prior strength nor data."""
    if k + big_n <= 0:
        return street_rate
    return (k * street_rate + n) / (k + big_n)


def service_group(service: ServiceType) -> str:
    """The respondents whose answers measure a service's need: by its age band, else its
    target group (a RespondentGroup value, or "all")."""
    by_band = {
        AgeBand.ELDERLY: RespondentGroup.ELDERLY,
        AgeBand.INFANTS: RespondentGroup.CHILDREN,
        AgeBand.PRESCHOOL: RespondentGroup.CHILDREN,
        AgeBand.SCHOOL: RespondentGroup.CHILDREN,
        AgeBand.DISABLED: RespondentGroup.DISABLED,
    }
    if service.age_band in by_band:
        return by_band[service.age_band]
    return service.target_group if service.target_group in FLAG else ALL


def band_population(area: Area, service: ServiceType) -> tuple[float | None, str]:
    """The area's population of the service's age band (or target group), and how it is made."""
    if service.age_band in BAND_BASIS:
        figure, basis = BAND_BASIS[service.age_band]
        return figure(area), basis
    return area.population_for(service.target_group), GROUP_BASIS[service.target_group]


def standard_ratio(service: ServiceType) -> tuple[float | None, str, str]:
    """The standard's per-1,000-resident ratio (places first, else m²), its unit and source."""
    for field, unit in (
        ("per_thousand_places", DemandUnit.PLACES),
        ("per_thousand_m2", DemandUnit.M2),
    ):
        value = getattr(service, field)
        if value is not None:
            cited = (service.sources or {}).get(field) or {}
            parts = [cited.get("source") or service.standard, cited.get("clause", "")]
            return float(value), unit, ", ".join(p for p in parts if p)
    return None, DemandUnit.PEOPLE, ""


def _types(service_types) -> list[ServiceType]:
    if service_types is None:
        return list(ServiceType.objects.active())
    given = list(service_types)
    if given and all(isinstance(s, ServiceType) for s in given):
        return given
    return list(ServiceType.objects.filter(pk__in=given))


def demand_table(
    *,
    survey_ids: Iterable[int] | None = None,
    k: float = DEFAULT_K,
    service_types: Iterable[ServiceType] | Iterable[int] | None = None,
    areas: Iterable[Area] | None = None,
) -> list[DemandRow]:
    """One row per (area, service type), ordered by service type then area.

    ``survey_ids`` None means every survey that is not a draft; ``service_types`` None means every
    active service type (objects or primary keys may be given); ``areas`` None means every area.
    """
    if k < 0:
        raise ValueError("k must not be negative")
    types = _types(service_types)
    area_list = list(Area.objects.all()) if areas is None else list(areas)
    if not types or not area_list:
        return []

    surveys = used_surveys(None if survey_ids is None else list(survey_ids))
    responses = Response.objects.filter(area__isnull=False, survey__in=surveys)
    type_pks = [t.pk for t in types]

    # Which surveys offer each service in a need question (and its wording), and which ask
    # whether the household has a member of each group.
    offers: dict[int, set[int]] = defaultdict(set)
    wording: dict[int, dict[int, str]] = defaultdict(dict)
    asks: dict[str, set[int]] = defaultdict(set)
    choices = Choice.objects.filter(question__survey__in=surveys).filter(
        Q(service_type__in=type_pks, question__measures=QuestionMeasures.NEED)
        | ~Q(respondent_group="")
    )
    for survey, question, text, text_en, service, group in choices.order_by(
        "question__order", "question"
    ).values_list(
        "question__survey",
        "question",
        "question__text",
        "question__text_en",
        "service_type",
        "respondent_group",
    ):
        if group:
            asks[group].add(survey)
        if service in type_pks:
            offers[service].add(survey)
            wording[service][question] = in_active_language(text, text_en)

    flags = ("has_elderly", "has_children", "has_disabled")
    respondents = list(
        responses.order_by()
        .values_list("survey", "area", *flags, "survey__illustrative")
        .annotate(n=Count("pk"))
    )
    choosers = list(
        Answer.objects.filter(
            response__in=responses,
            choice__service_type__in=type_pks,
            question__measures=QuestionMeasures.NEED,
        )
        .order_by()
        .values_list("response__survey", "response__area", "choice__service_type", *flags)
        .annotate(n=Count("response", distinct=True))
    )

    rows = []
    for service in types:
        group = service_group(service)
        offering = offers.get(service.pk, set())
        # Pooled only where the surveys offering s never asked who is in the household.
        pooled = group in FLAG and not offering & asks[group]
        flag_index = None if group == ALL or pooled else flags.index(FLAG[group])

        def counted(survey: int, flag_values: tuple, offering=offering, flag_index=flag_index):
            return survey in offering and (flag_index is None or flag_values[flag_index])

        big_n: dict[int, int] = defaultdict(int)
        illustrative_survey = False
        for survey, area, *rest in respondents:
            *flag_values, demo, n = rest
            if counted(survey, flag_values):
                big_n[area] += n
                illustrative_survey = illustrative_survey or demo
        small_n: dict[int, int] = defaultdict(int)
        for survey, area, chosen, *rest in choosers:
            *flag_values, n = rest
            if chosen == service.pk and counted(survey, flag_values):
                small_n[area] += n
        total_n = sum(big_n.values())
        street_rate = sum(small_n.values()) / total_n if total_n else 0.0
        common = {
            "service_type": service,
            "street_rate": street_rate,
            "group": ALL if pooled and total_n else group,
            "group_label": NOT_ASKED if pooled and total_n else GROUP_LABELS[group],
            "questions": tuple(wording[service.pk].values()),
        }
        ratio, unit, reference = standard_ratio(service)
        for a in area_list:
            n_a, chose = big_n.get(a.pk, 0), small_n.get(a.pk, 0)
            if total_n:
                rate = shrunk_rate(chose, n_a, street_rate, k)
                population, basis = band_population(a, service)
                uses_population = population is not None
                row = DemandRow(
                    area=a,
                    respondents=n_a,
                    choosers=chose,
                    rate=rate,
                    population=population,
                    demand=rate * population if uses_population else float(chose),
                    uses_population=uses_population,
                    population_basis=basis,
                    illustrative=a.illustrative or illustrative_survey,
                    **common,
                )
            else:
                population = a.population_total if ratio is not None else None
                measured = population is not None
                row = DemandRow(
                    area=a,
                    respondents=0,
                    choosers=0,
                    rate=0.0,
                    population=population,
                    demand=ratio * population / 1000 if measured else 0.0,
                    uses_population=measured,
                    population_basis=STANDARD_BASIS if measured else "",
                    source=DemandSource.STANDARD if measured else DemandSource.NONE,
                    unit=unit if measured else DemandUnit.PEOPLE,
                    standard_ratio=ratio,
                    standard_reference=reference,
                    illustrative=a.illustrative,
                    **common,
                )
            rows.append(row)
    return rows
