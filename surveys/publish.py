"""The publish check: what would stop residents completing a survey blocks opening it; what
merely looks wrong is a warning. Shown beside each question on the survey's page and applied
by services.set_survey_status, so a survey no one can submit is never opened."""

from dataclasses import dataclass, field
from decimal import Decimal
from math import ceil, floor

from django.utils.translation import gettext as _

from surveys.models import OPERATORS_BY_KIND, Question, QuestionKind, Survey
from surveys.selectors import questions_for

NUMERIC_KINDS = {QuestionKind.NUMBER, QuestionKind.RATING}


@dataclass(frozen=True)
class Problem:
    message: str
    question: Question | None = None
    blocking: bool = True

    def __str__(self) -> str:
        if self.question is None:
            return self.message
        return f"“{self.question.display_text}”: {self.message}"


@dataclass
class PublishCheck:
    problems: list[Problem] = field(default_factory=list)

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.blocking]

    def for_question(self, question_id: int) -> list[Problem]:
        return [p for p in self.problems if p.question and p.question.pk == question_id]

    @property
    def survey_wide(self) -> list[Problem]:
        return [p for p in self.problems if p.question is None]


def check_survey(survey: Survey, questions: list[Question] | None = None) -> PublishCheck:
    """Every problem of the survey's active questions (pass questions_for(survey,
    include_archived=True) to save the queries)."""
    if questions is None:
        questions = questions_for(survey, include_archived=True)
    active = [q for q in questions if not q.archived]
    result = PublishCheck()
    if not active:
        result.problems.append(Problem(_("Add at least one question before opening the survey.")))
        return result
    position = {q.pk: i for i, q in enumerate(active)}
    by_id = {q.pk: q for q in questions}
    for question in active:
        add = result.problems.append
        for message in _definition_problems(question):
            add(Problem(message, question))
        for message in _definition_warnings(question):
            add(Problem(message, question, blocking=False))
        for condition in question.condition_list:
            source = by_id.get(condition.source_id)
            blocking, message = _condition_problem(question, condition, source, position)
            if message:
                add(Problem(message, question, blocking=blocking))
    if not any(q.kind in (QuestionKind.AREA, QuestionKind.POINT) for q in active):
        result.problems.append(
            Problem(
                _(
                    "No neighbourhood or map question: the answers cannot be counted towards "
                    "any area's demand."
                ),
                blocking=False,
            )
        )
    return result


def _definition_problems(question: Question) -> list[str]:
    problems = []
    if question.has_choices and question.required and not question.active_choices:
        problems.append(_("a required choice question without options: no one could answer it."))
    low, high = question.min_value, question.max_value
    if question.kind == QuestionKind.NUMBER and low is not None and high is not None:
        if low > high:
            problems.append(_("the smallest number is above the largest: no answer fits."))
        elif question.integer_only and ceil(low) > floor(high):
            problems.append(_("no whole number lies between the smallest and the largest."))
    return problems


def _definition_warnings(question: Question) -> list[str]:
    warnings = []
    options = question.active_choices
    if question.has_choices and not question.required and not options:
        warnings.append(_("no options yet: residents will skip it."))
    if question.kind == QuestionKind.SINGLE and len(options) == 1:
        warnings.append(_("only one option to choose from."))
    limit = question.max_choices if question.kind == QuestionKind.MULTIPLE else None
    if limit and limit >= len(options) > 0:
        warnings.append(_("the limit on choices is not below the number of options."))
    if question.kind == QuestionKind.SINGLE and any(c.exclusive for c in options):
        warnings.append(_("“excludes the others” has no effect on a single choice."))
    if not question.text_en:
        warnings.append(_("no English wording: English readers see the Chinese."))
    return warnings


def _condition_problem(question, condition, source, position) -> tuple[bool, str]:
    """(blocking, message) for one condition; an empty message when it is sound."""
    if source is None or source.archived or condition.source_id not in position:
        return True, _("its condition reads a question that was removed.")
    name = source.display_text
    if position[condition.source_id] >= position[question.pk]:
        return True, _(
            "its condition reads “%(q)s”, which comes later: residents answer in order."
        ) % {"q": name}
    if condition.operator not in OPERATORS_BY_KIND.get(source.kind, ()):
        return True, _("its condition cannot be tested on “%(q)s”.") % {"q": name}
    if condition.operator == "answered":
        return False, ""
    if source.has_choices:
        options = {c.pk: c for c in source.all_choices}
        choice = options.get(condition.choice_id)
        if choice is None:
            return True, _("its condition on “%(q)s” names no option of it.") % {"q": name}
        if choice.archived:
            return True, _("its condition names the option “%(o)s”, which was removed.") % {
                "o": choice.display_label
            }
        return False, ""
    if condition.number is None:
        return True, _("its condition on “%(q)s” has no number.") % {"q": name}
    low, high = _range(source)
    target = condition.number
    never = (condition.operator == "greater_than" and high is not None and target >= high) or (
        condition.operator == "less_than" and low is not None and target <= low
    )
    if never:
        return False, _(
            "its condition on “%(q)s” can never be met: no answer is allowed there."
        ) % {"q": name}
    return False, ""


def _range(question: Question) -> tuple[Decimal | None, Decimal | None]:
    if question.kind == QuestionKind.RATING:
        return Decimal(1), Decimal(5)
    return question.min_value, question.max_value
