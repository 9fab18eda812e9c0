"""Reads for the results page beyond the cached aggregate (selectors.survey_results): the text
answers, listed, searched and exported. They follow the results filters and the reader's scope:
a committee member reads only the answers from their own area."""

from django.db.models import QuerySet

from fenglin.access import EVERYTHING, Scope
from surveys.models import Answer, Question, QuestionKind
from surveys.selectors import filtered_answers


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
    answers = filtered_answers([question.pk], area_id=area_id, group=group, channel=channel)
    answers = scope.filter(answers, "response__area").exclude(text="")
    if query:
        answers = answers.filter(text__icontains=query)
    # Newest first by storing order: the answer's id, which an index walks backwards cheaply.
    return answers.select_related("response__area").order_by("-pk")


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
