"""Skip logic: which questions a resident is asked, given the answers so far.

Pure evaluation over plain values (no database, no Django), used by the public form to skip
validating and storing hidden questions; static/js/survey-logic.js mirrors it in the browser
rule for rule, so residents see the same questions the server checks.

A question's conditions (`condition_list`: objects with source_id, operator, choice_id and
number, as surveys.selectors.questions_for loads them) are joined with "all" or "any". A
condition reads an earlier question; a question that is itself hidden counts as unanswered, so
hiding cascades down the form. Questions are evaluated in form order, so a condition pointing
forward sees nothing (the publish check refuses those).
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

EQUALS = "equals"
NOT_EQUALS = "not_equals"
INCLUDES = "includes"
GREATER_THAN = "greater_than"
LESS_THAN = "less_than"
ANSWERED = "answered"


def is_empty(value: object) -> bool:
    """No answer: nothing, blank text or no option chosen."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset):
        return not value or all(is_empty(v) for v in value)
    return False


def _chosen(value: object) -> set[int]:
    """The option ids of a choice answer, whether one id or a list of them."""
    if is_empty(value):
        return set()
    items = value if isinstance(value, list | tuple | set | frozenset) else [value]
    chosen = set()
    for item in items:
        try:
            chosen.add(int(item))
        except (TypeError, ValueError):
            continue
    return chosen


def _number(value: object) -> Decimal | None:
    if is_empty(value) or isinstance(value, list | tuple | set | frozenset):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def holds(condition, value: object) -> bool:
    """Whether one condition is met by the answer `value` to its source question."""
    operator = condition.operator
    if operator == ANSWERED:
        return not is_empty(value)
    if condition.choice_id is not None:
        chosen = _chosen(value)
        if operator == INCLUDES:
            return condition.choice_id in chosen
        if operator == EQUALS:
            return chosen == {condition.choice_id}
        if operator == NOT_EQUALS:
            return chosen != {condition.choice_id}
        return False
    number, target = _number(value), condition.number
    if target is None:
        return False
    if operator == NOT_EQUALS:
        return number is None or number != target
    if number is None:
        return False
    if operator == EQUALS:
        return number == target
    if operator == GREATER_THAN:
        return number > target
    if operator == LESS_THAN:
        return number < target
    return False


def visible_questions(questions: Iterable, answers: Mapping[int, object]) -> set[int]:
    """The ids of the questions to ask, given answers by question id (choice ids, numbers,
    text): those without conditions, and those whose conditions are met ("all" or "any")."""
    visible: set[int] = set()
    for question in questions:
        conditions = question.condition_list
        if conditions:
            results = [
                holds(c, answers.get(c.source_id) if c.source_id in visible else None)
                for c in conditions
            ]
            shown = any(results) if question.condition_join == "any" else all(results)
            if not shown:
                continue
        visible.add(question.pk)
    return visible


def as_data(question) -> dict | None:
    """A question's conditions as plain data for the browser (None without conditions)."""
    if not question.condition_list:
        return None
    return {
        "join": question.condition_join,
        "rules": [
            {
                "source": c.source_id,
                "op": c.operator,
                "choice": c.choice_id,
                "number": None if c.number is None else str(c.number),
            }
            for c in question.condition_list
        ],
    }
