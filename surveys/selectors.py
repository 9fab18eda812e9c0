"""Reads of the surveys app: open surveys, questions for a form, results aggregated in the
database (cached under the survey's results version), field visits."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Case, Count, F, Max, Min, Prefetch, Q, QuerySet, Sum, When

from fenglin.access import EVERYTHING, Scope
from fenglin.cache import remember
from sites.models import Area
from surveys.models import (
    Answer,
    Choice,
    FieldVisit,
    Question,
    QuestionCondition,
    QuestionKind,
    RespondentGroup,
    Response,
    Survey,
)

# Pins drawn on the results map: the newest ones; the per-area circles count all.
MAX_PINS = 2000
RESULTS_CACHE_SECONDS = 24 * 3600
GROUP_FIELDS = {
    RespondentGroup.ELDERLY.value: "has_elderly",
    RespondentGroup.CHILDREN.value: "has_children",
    RespondentGroup.DISABLED.value: "has_disabled",
}


def open_surveys(now=None) -> list[Survey]:
    """Surveys residents can answer now, closing soonest first."""
    return list(Survey.objects.accepting(now).order_by("closes_at", "-created_at"))


def questions_for(survey: Survey, *, include_archived: bool = False) -> list[Question]:
    """A survey's questions in order, each with `all_choices`, `active_choices` and its skip
    logic (`condition_list`, see surveys.logic) loaded."""
    questions = survey.questions.all() if include_archived else survey.questions.active()
    questions = list(
        questions.order_by("order", "pk").prefetch_related(
            Prefetch(
                "choices",
                queryset=Choice.objects.order_by("order", "pk").select_related(
                    "service_type", "site"
                ),
                to_attr="all_choices",
            ),
            Prefetch(
                "conditions",
                queryset=QuestionCondition.objects.order_by("pk"),
                to_attr="condition_list",
            ),
        )
    )
    for question in questions:
        question.active_choices = [c for c in question.all_choices if not c.archived]
    return questions


# Built forms' questions per process, keyed by the survey's definition version (updated_at,
# which every question or choice change moves): never stale, and the busiest page of a survey
# shared in a WeChat group skips two queries and the object building on every request.
_DEFINITIONS: dict[tuple[int, object], list[Question]] = {}
_DEFINITIONS_MAX = 64


def form_questions(survey: Survey) -> list[Question]:
    """The active questions of a survey for its form (see questions_for), memoised per version."""
    key = (survey.pk, survey.updated_at)
    questions = _DEFINITIONS.get(key)
    if questions is None:
        questions = questions_for(survey)
        if len(_DEFINITIONS) >= _DEFINITIONS_MAX:
            _DEFINITIONS.clear()
        _DEFINITIONS[key] = questions
    return questions


def areas_for_form() -> list[tuple[int, str]]:
    """(id, name) of every area, for the neighbourhood list of a form (plain tuples: cheap)."""
    return list(Area.objects.order_by("code").values_list("pk", "name"))


# --- Results -------------------------------------------------------------------------------


def _filtered_responses(
    survey: Survey, *, area_id: int | None, group: str, channel: str
) -> QuerySet:
    responses = Response.objects.filter(survey=survey)
    if area_id is not None:
        responses = responses.filter(area_id=area_id)
    if group in GROUP_FIELDS:
        responses = responses.filter(**{GROUP_FIELDS[group]: True})
    if channel:
        responses = responses.filter(channel=channel)
    return responses


def filtered_answers(question_ids: list[int], *, area_id: int | None, group: str, channel: str):
    # Filter on the survey's question ids, not a join; group flags are copied on each answer.
    answers = Answer.objects.filter(question_id__in=question_ids)
    if area_id is not None:
        answers = answers.filter(response__area_id=area_id)
    if group in GROUP_FIELDS:
        answers = answers.filter(**{GROUP_FIELDS[group]: True})
    if channel:
        answers = answers.filter(response__channel=channel)
    return answers


def _aggregate(survey: Survey, *, area_id: int | None, group: str, channel: str) -> dict:
    """The raw figures of the results page: a fixed number of grouped queries, whatever the
    number of responses. Plain ids and numbers only, so the cache holds no model objects."""
    responses = _filtered_responses(survey, area_id=area_id, group=group, channel=channel)
    kinds = dict(Question.objects.filter(survey=survey).values_list("pk", "kind"))
    rating_ids = [pk for pk, kind in kinds.items() if kind == QuestionKind.RATING]
    number_ids = [pk for pk, kind in kinds.items() if kind == QuestionKind.NUMBER]
    answers = filtered_answers(list(kinds), area_id=area_id, group=group, channel=channel)
    # Totals and responses per area in one grouped query.
    per_area_rows = responses.values("area").annotate(
        total=Count("pk"),
        online=Count("pk", filter=Q(channel="online")),
        paper=Count("pk", filter=Q(channel="paper")),
        with_point=Count("pk", filter=Q(latitude__isnull=False)),
        **{name: Count("pk", filter=Q(**{column: True})) for name, column in GROUP_FIELDS.items()},
    )
    totals = dict.fromkeys(["total", "online", "paper", "with_point", *GROUP_FIELDS], 0)
    per_area = {}
    for row in per_area_rows:
        per_area[row["area"]] = row["total"]
        for name in totals:
            totals[name] += row[name]
    # One pass over the answers, grouped by (question, choice, rating): per-choice counts, the
    # ratings' and numbers' distributions, and — from each question's first row per response —
    # respondents per question, all split by respondent group; numbers' statistics ride along.
    first = Q(position=0)
    group_filters = {name: Q(**{column: True}) for name, column in GROUP_FIELDS.items()}
    valued = rating_ids + number_ids
    value = Case(When(question_id__in=valued or [0], then=F("number")), default=None)
    rows = answers.values("question", "choice", value=value).annotate(
        n=Count("pk"),
        first=Count("pk", filter=first),
        **{name: Count("pk", filter=q) for name, q in group_filters.items()},
        **{f"first_{name}": Count("pk", filter=first & q) for name, q in group_filters.items()},
        total=Sum("number"),
        counted=Count("number"),
        low=Min("number"),
        high=Max("number"),
    )
    per_choice: dict[int, dict] = {}
    per_question: dict[int, dict] = {}
    ratings: dict[int, dict[int, int]] = {}
    numbers: dict[int, dict[Decimal, int]] = {}
    for row in rows:
        if row["choice"] is not None:
            per_choice[row["choice"]] = {"n": row["n"], **{g: row[g] for g in GROUP_FIELDS}}
        if row["value"] is not None:
            if row["question"] in number_ids:
                numbers.setdefault(row["question"], {})[Decimal(row["value"])] = row["n"]
            else:
                ratings.setdefault(row["question"], {})[int(row["value"])] = row["n"]
        stats = per_question.setdefault(
            row["question"], {"n": 0, "total": 0, "counted": 0, "low": None, "high": None}
        )
        stats["n"] += row["first"]
        for name in GROUP_FIELDS:
            stats[name] = stats.get(name, 0) + row[f"first_{name}"]
        if row["counted"]:
            stats["total"] += row["total"]
            stats["counted"] += row["counted"]
            stats["low"] = row["low"] if stats["low"] is None else min(stats["low"], row["low"])
            stats["high"] = (
                row["high"] if stats["high"] is None else max(stats["high"], row["high"])
            )
    for stats in per_question.values():
        counted = stats.pop("counted")
        total = stats.pop("total")
        stats["avg"] = float(total) / counted if counted else None
    pins = [
        [float(lat), float(lng)]
        for lat, lng in responses.filter(latitude__isnull=False)
        .order_by("-submitted_at")
        .values_list("latitude", "longitude")[:MAX_PINS]
    ]
    return {
        "totals": totals,
        "per_choice": per_choice,
        "per_question": per_question,
        "ratings": ratings,
        "numbers": numbers,
        "per_area": per_area,
        "pins": pins,
    }


def results_state(survey: Survey) -> str:
    """What a survey's cached results depend on: its results version (bumped by deletions and
    bulk changes) and its responses' count and newest id, which every new response moves.

    Read from the database, not the cache, so that no cache backend can serve stale figures;
    and a new response needs no write to the survey row, which would serialise submissions.
    """
    state = Response.objects.filter(survey=survey).aggregate(count=Count("pk"), last=Max("pk"))
    return f"{survey.results_version}:{state['count']}:{state['last']}"


def results_figures(
    survey: Survey, *, area_id: int | None = None, group: str = "", channel: str = ""
) -> dict:
    """Raw result figures, cached under the survey's :func:`results_state`, so a cached figure
    is never stale."""
    key = f"surveys:results:{survey.pk}:{results_state(survey)}:{area_id}:{group}:{channel}"
    return remember(
        key,
        lambda: _aggregate(survey, area_id=area_id, group=group, channel=channel),
        timeout=RESULTS_CACHE_SECONDS,
        purpose="survey results",
    )


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


@dataclass
class ChoiceResult:
    choice: Choice
    count: int
    percent: float
    group_percents: dict[str, float]


@dataclass
class QuestionResult:
    question: Question
    answered: int
    choices: list[ChoiceResult] = field(default_factory=list)
    ratings: list[tuple[int, int, float]] = field(default_factory=list)
    average: float | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    values: dict[Decimal, int] = field(default_factory=dict)  # a number question's answers


@dataclass
class AreaRow:
    area: Area | None
    responses: int
    share: float
    per_thousand: float | None


def survey_results(
    survey: Survey,
    *,
    area_id: int | None = None,
    group: str = "",
    channel: str = "",
    questions: list[Question] | None = None,
) -> dict:
    """Everything the results page shows: per question counts and percentages (a multiple-choice
    question counts each option, as a share of those who answered it), by respondent group, per
    area against population, and pins. Query count does not depend on the number of responses.
    """
    figures = results_figures(survey, area_id=area_id, group=group, channel=channel)
    questions = questions if questions is not None else questions_for(survey, include_archived=True)
    totals = figures["totals"]
    per_question = figures["per_question"]
    per_choice = figures["per_choice"]
    results = []
    for question in questions:
        stats = per_question.get(question.pk, {})
        answered = stats.get("n", 0)
        result = QuestionResult(question=question, answered=answered)
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            for choice in question.all_choices:
                row = per_choice.get(choice.pk, {})
                count = row.get("n", 0)
                if choice.archived and not count:
                    continue
                result.choices.append(
                    ChoiceResult(
                        choice=choice,
                        count=count,
                        percent=_percent(count, answered),
                        group_percents={
                            name: _percent(row.get(name, 0), stats.get(name, 0))
                            for name in GROUP_FIELDS
                        },
                    )
                )
        elif question.kind == QuestionKind.RATING:
            dist = figures["ratings"].get(question.pk, {})
            result.ratings = [
                (value, dist.get(value, 0), _percent(dist.get(value, 0), answered))
                for value in range(1, 6)
            ]
            result.average = stats.get("avg")
        elif question.kind == QuestionKind.NUMBER:
            result.average = stats.get("avg")
            result.low, result.high = stats.get("low"), stats.get("high")
            result.values = figures["numbers"].get(question.pk, {})
        elif question.kind == QuestionKind.AREA:
            result.answered = totals["total"] - figures["per_area"].get(None, 0)
        elif question.kind == QuestionKind.POINT:
            result.answered = totals["with_point"]
        results.append(result)
    return {
        "totals": totals,
        "questions": results,
        "areas": area_rows(figures["per_area"], totals["total"], only_area_id=area_id),
        "pins": figures["pins"],
        "group_labels": dict(RespondentGroup.choices),
    }


def area_rows(per_area: dict, total: int, *, only_area_id: int | None = None) -> list[AreaRow]:
    """Responses per area against its population, fewest per 1,000 residents first: where to
    send fieldwork next."""
    areas = Area.objects.only(
        "pk", "name", "code", "population_total", "centroid_lat", "centroid_lng", "boundary"
    ).order_by("code")
    if only_area_id is not None:
        areas = areas.filter(pk=only_area_id)
    rows = []
    for area in areas:
        count = per_area.get(area.pk, 0)
        population = area.population_total
        rows.append(
            AreaRow(
                area=area,
                responses=count,
                share=_percent(count, total),
                per_thousand=round(1000 * count / population, 1) if population else None,
            )
        )
    rows.sort(key=lambda r: (r.per_thousand is None, r.per_thousand or 0, r.area.code))
    unknown = per_area.get(None, 0)
    if unknown and only_area_id is None:
        rows.append(
            AreaRow(area=None, responses=unknown, share=_percent(unknown, total), per_thousand=None)
        )
    return rows


# --- Responses and field visits ------------------------------------------------------------


def responses_for(survey: Survey, *, scope: Scope = EVERYTHING) -> QuerySet:
    """The survey's responses the scope lets the user see, newest first."""
    responses = survey.responses.select_related("area", "entered_by").order_by(
        "-submitted_at", "-pk"
    )
    return scope.filter(responses)


def field_visits(*, scope: Scope = EVERYTHING, area: Area | None = None) -> QuerySet:
    """Field visits the scope lets the user see, of one area if given.

    A visit belongs to its area or to its site's area.
    """
    visits = FieldVisit.objects.select_related("area", "site", "recorded_by").prefetch_related(
        "needs"
    )
    visits = visits.filter(scope.q("area") | scope.q("site__area"))
    if area is not None:
        visits = visits.filter(Q(area=area) | Q(site__area=area))
    return visits


def area_panel(area: Area, *, visits_limit: int = 10) -> dict:
    """Field visits and survey response counts of one area, for the area's page."""
    visits = list(field_visits(area=area)[:visits_limit])
    surveys = list(
        Survey.objects.annotate(n=Count("responses", filter=Q(responses__area=area)))
        .filter(n__gt=0)
        .order_by("-created_at")
    )
    return {"area": area, "visits": visits, "surveys": surveys}


def site_satisfaction(sites: QuerySet) -> dict[int, tuple[float, int]]:
    """Site id -> (mean rating 1–5, number of ratings) for the given sites, from the answers
    to rating questions; sites nobody rated are left out. One aggregate query.

    A rating answer rates a site through its choice (`Choice.site`).
    """
    rows = (
        Answer.objects.filter(
            question__kind=QuestionKind.RATING, choice__site__in=sites, number__isnull=False
        )
        .order_by()
        .values_list("choice__site")
        .annotate(mean=Avg("number"), n=Count("pk"))
    )
    return {site_id: (float(mean), n) for site_id, mean, n in rows}
