"""Reads for the results page beyond the cached aggregate (selectors.survey_results): the
distribution of each number question and the text answers, listed, searched and exported.

Both follow the results filters and the reader's scope: a committee member reads only the
answers from their own area."""

from decimal import Decimal

from django.db.models import Count, QuerySet

from fenglin.access import EVERYTHING, Scope
from fenglin.cache import remember
from surveys.models import Answer, Question, QuestionKind, Survey
from surveys.selectors import GROUP_FIELDS, RESULTS_CACHE_SECONDS, results_state


def _answers(question_ids: list[int], *, area_id: int | None, group: str, channel: str):
    answers = Answer.objects.filter(question_id__in=question_ids)
    if area_id is not None:
        answers = answers.filter(response__area_id=area_id)
    if group in GROUP_FIELDS:
        answers = answers.filter(**{GROUP_FIELDS[group]: True})
    if channel:
        answers = answers.filter(response__channel=channel)
    return answers


def number_distributions(
    survey: Survey,
    questions: list[Question],
    *,
    area_id: int | None = None,
    group: str = "",
    channel: str = "",
) -> dict[int, dict[Decimal, int]]:
    """Question id -> {value: answers} for the number questions: one grouped query, cached under
    the survey's results state like the rest of the page (so never stale)."""
    ids = [q.pk for q in questions if q.kind == QuestionKind.NUMBER]
    if not ids:
        return {}

    def compute() -> dict[int, dict[Decimal, int]]:
        rows = (
            _answers(ids, area_id=area_id, group=group, channel=channel)
            .filter(number__isnull=False)
            .order_by()
            .values_list("question_id", "number")
            .annotate(n=Count("pk"))
        )
        result: dict[int, dict[Decimal, int]] = {}
        for question_id, number, n in rows:
            result.setdefault(question_id, {})[Decimal(number)] = n
        return result

    key = f"surveys:numbers:{survey.pk}:{results_state(survey)}:{area_id}:{group}:{channel}"
    return remember(key, compute, timeout=RESULTS_CACHE_SECONDS, purpose="number distributions")


def text_answers(
    question: Question,
    *,
    scope: Scope = EVERYTHING,
    query: str = "",
    area_id: int | None = None,
    group: str = "",
    channel: str = "",
) -> QuerySet:
    """A text question's answers, newest first, containing `query` (case-insensitive) if given,
    with each response's area and time."""
    answers = _answers([question.pk], area_id=area_id, group=group, channel=channel)
    answers = scope.filter(answers, "response__area").exclude(text="")
    if query:
        answers = answers.filter(text__icontains=query)
    return answers.select_related("response__area").order_by("-response__submitted_at", "-pk")


def newest_text_answers(
    questions: list[Question], *, scope: Scope = EVERYTHING, limit: int = 5, **filters
) -> dict[int, list[Answer]]:
    """The few newest answers of each text question, for the results page (one query each;
    surveys have one or two text questions)."""
    return {
        q.pk: list(text_answers(q, scope=scope, **filters)[:limit])
        for q in questions
        if q.kind == QuestionKind.TEXT
    }
