"""Demand per neighbourhood area and service type, from the survey answers.

For area a and service s:

    N(a)    respondents in a (responses of the surveys used that name the area)
    n(a,s)  respondents in a who chose at least one choice pointing at s
    R(s)    = Σ_a n(a,s) / Σ_a N(a), the street-wide need rate
    r(a,s)  = (k·R(s) + n(a,s)) / (k + N(a)), the area's rate shrunk towards R(s) with strength k
    demand  = r(a,s) × the area's population of s's target group,
              or n(a,s) where the area has no figure for that group (flagged).

Everything is counted with a few aggregate queries, whatever the number of responses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from sites.models import Area, ServiceType
from surveys.models import Answer, Response, Survey, SurveyStatus

DEFAULT_K = 10.0


@dataclass(frozen=True)
class DemandRow:
    """The demand of one area for one service type, with every input that produced it."""

    area: Area
    service_type: ServiceType
    respondents: int  # N(a)
    choosers: int  # n(a, s)
    street_rate: float  # R(s)
    rate: float  # r(a, s)
    population: int | None  # the area's population of the target group
    demand: float
    uses_population: bool  # False: demand falls back to the count n(a, s)

    @property
    def raw_rate(self) -> float | None:
        """n(a,s) / N(a), the unshrunk rate (None without respondents)."""
        return self.choosers / self.respondents if self.respondents else None


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
    if service_types is None:
        types = list(ServiceType.objects.active())
    else:
        given = list(service_types)
        if given and all(isinstance(s, ServiceType) for s in given):
            types = given
        else:
            types = list(ServiceType.objects.filter(pk__in=given))
    area_list = list(Area.objects.all()) if areas is None else list(areas)
    if not types or not area_list:
        return []

    survey_ids = None if survey_ids is None else list(survey_ids)
    responses = Response.objects.filter(area__isnull=False)
    if survey_ids is None:
        responses = responses.exclude(survey__status=SurveyStatus.DRAFT)
    else:
        responses = responses.filter(survey_id__in=survey_ids)

    respondents = dict(
        responses.order_by().values("area").annotate(n=Count("pk")).values_list("area", "n")
    )
    answers = Answer.objects.filter(
        response__in=responses, choice__service_type__in=[t.pk for t in types]
    )
    choosers = {
        (row["response__area"], row["choice__service_type"]): row["n"]
        for row in answers.order_by()
        .values("response__area", "choice__service_type")
        .annotate(n=Count("response", distinct=True))
    }

    total_n = sum(respondents.values())
    rows = []
    for service in types:
        chose = sum(v for (_area, s), v in choosers.items() if s == service.pk)
        street_rate = chose / total_n if total_n else 0.0
        for a in area_list:
            big_n = respondents.get(a.pk, 0)
            n = choosers.get((a.pk, service.pk), 0)
            rate = shrunk_rate(n, big_n, street_rate, k)
            population = a.population_for(service.target_group)
            uses_population = population is not None
            rows.append(
                DemandRow(
                    area=a,
                    service_type=service,
                    respondents=big_n,
                    choosers=n,
                    street_rate=street_rate,
                    rate=rate,
                    population=population,
                    demand=rate * population if uses_population else float(n),
                    uses_population=uses_population,
                )
            )
    return rows
