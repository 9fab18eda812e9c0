"""The survey builder's pages: pick a kind, edit a question with only its kind's
settings, its options and its skip logic; remove (after confirming, undoable), restore, move."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fenglin.access import scope_for, staff_required
from fenglin.parsing import parse_id
from sites.models import Area
from surveys import services
from surveys.builder_forms import KIND_HELP, ChoiceFormSet, ConditionFormSet, QuestionForm
from surveys.forms import describe_condition
from surveys.models import (
    CHOICE_KINDS,
    OPERATORS_BY_KIND,
    Question,
    QuestionCondition,
    QuestionKind,
    Survey,
)
from surveys.publish import check_survey
from surveys.selectors import questions_for


def _questions_of(survey: Survey, question: Question | None) -> tuple[list, list]:
    """(earlier questions, questions its conditions may name): a condition reads only an
    earlier question, but an existing one pointing elsewhere is shown, to be corrected."""
    active = questions_for(survey)
    if question is None:
        return active, active
    earlier = [q for q in active if (q.order, q.pk) < (question.order, question.pk)]
    used = set(question.conditions.values_list("source_id", flat=True))
    return earlier, [q for q in active if q in earlier or q.pk in used]


def _question_page(request: HttpRequest, survey: Survey, question: Question | None):
    locked = bool(question and question.answers.exists())
    kind = question.kind if question else ""
    asked = request.POST.get("kind") or request.GET.get("kind")
    if asked in QuestionKind.values and not locked:
        kind = asked
    if not kind:
        kinds = [(k, label, KIND_HELP[k]) for k, label in QuestionKind.choices]
        return render(request, "surveys/question_kind.html", {"survey": survey, "kinds": kinds})
    instance = question or Question(survey=survey)
    instance.kind = kind
    data = request.POST or None
    form = QuestionForm(data, instance=instance)
    owner = instance if question else Question()
    choices = None
    if kind in CHOICE_KINDS:
        choices = ChoiceFormSet(
            data,
            instance=owner,
            queryset=question.choices.active() if question else None,
            prefix="choices",
            form_kwargs={"kind": kind},
        )
    earlier, shown = _questions_of(survey, question)
    conditions = None
    if shown:  # the first question has nothing to depend on
        conditions = ConditionFormSet(
            data,
            instance=owner,
            prefix="conditions",
            form_kwargs={"sources": shown, "earlier": {q.pk for q in earlier}},
        )
    if request.method == "POST":
        valid = [
            form.is_valid(),
            choices is None or choices.is_valid(),
            conditions is None or conditions.is_valid(),
        ]
        if all(valid):
            try:
                saved = services.save_question(
                    survey=survey,
                    form=form,
                    choice_formset=choices,
                    condition_formset=conditions,
                    user=request.user,
                )
            except services.DefinitionLocked as exc:
                form.add_error(None, str(exc))
            else:
                edit = reverse("surveys:question_edit", args=[saved.pk])
                if "add_option" in request.POST:
                    messages.success(request, _("Question saved. Add the next option."))
                    return redirect(f"{edit}#choices")
                if saved.has_choices and not saved.choices.active().exists():
                    messages.warning(request, _("This question has no choices yet: add some."))
                    return redirect(edit)
                messages.success(request, _("Question saved."))
                return redirect(f"{survey.get_absolute_url()}#question-{saved.pk}")
    context = {
        "survey": survey,
        "question": question,
        "kind": kind,
        "kind_label": QuestionKind(kind).label,
        "other_kinds": [] if locked else [(k, v) for k, v in QuestionKind.choices if k != kind],
        "locked": locked,
        "form": form,
        "formset": choices,
        "conditions": conditions,
        "operators": {kind: sorted(ops) for kind, ops in OPERATORS_BY_KIND.items()},
        "area_names": list(Area.objects.order_by("code").values_list("name", flat=True))
        if kind == QuestionKind.AREA
        else [],
        "region": settings.SITE_REGION if kind == QuestionKind.POINT else None,
    }
    return render(request, "surveys/question_form.html", context)


@require_http_methods(["GET", "POST"])
@staff_required("surveys.change_survey")
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _question_page(request, get_object_or_404(Survey, pk=pk), None)


@require_http_methods(["GET", "POST"])
@staff_required("surveys.change_survey")
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("survey"), pk=pk)
    return _question_page(request, question.survey, question)


@require_http_methods(["GET", "POST"])
@staff_required("surveys.change_survey")
def question_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what removing the question means (its answers, the questions that depend on it);
    POST: stop asking it. It is archived, so the survey's page offers to undo."""
    question = get_object_or_404(Question.objects.select_related("survey"), pk=pk)
    survey = question.survey
    if request.method == "POST":
        services.remove_question(question=question, user=request.user)
        messages.success(
            request,
            _("“%(q)s” is no longer asked; its answers are kept.") % {"q": question.display_text},
        )
        return redirect(f"{survey.get_absolute_url()}?removed={question.pk}#removed")
    dependents = (
        QuestionCondition.objects.filter(source=question, question__archived=False)
        .select_related("question")
        .order_by("question__order")
    )
    context = {
        "survey": survey,
        "question": question,
        "answered": question.answers.filter(position=0).count(),
        "dependents": sorted({c.question for c in dependents}, key=lambda q: q.order),
    }
    return render(request, "surveys/question_remove.html", context)


@require_POST
@staff_required("surveys.change_survey")
def question_restore(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("survey"), pk=pk)
    services.restore_question(question=question, user=request.user)
    messages.success(request, _("Question asked again."))
    return redirect(f"{question.survey.get_absolute_url()}#question-{question.pk}")


@require_POST
@staff_required("surveys.change_survey")
def question_move(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.select_related("survey"), pk=pk)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        services.move_question(question=question, direction=direction)
    return redirect(f"{question.survey.get_absolute_url()}#question-{question.pk}")


# --- The survey's page ---------------------------------------------------------------------


def builder_context(request: HttpRequest, survey: Survey, questions: list[Question]) -> dict:
    """What the survey's page shows of the builder: the publish check beside each question,
    the skip logic in words, the editions with their responses, and the undo of a removal."""
    check = check_survey(survey, questions)
    by_id = {q.pk: q for q in questions}
    for question in questions:
        question.problems = check.for_question(question.pk)
        question.condition_texts = [describe_condition(c, by_id) for c in question.condition_list]
    removed = by_id.get(parse_id(request.GET.get("removed")))
    responses = scope_for(request.user).filter(survey.responses.all())
    per_edition = dict(responses.values_list("edition").annotate(n=Count("pk")))
    editions = list(survey.editions.select_related("created_by"))
    for edition in editions:
        edition.responses = per_edition.get(edition.number, 0)
    return {
        "publish_check": check,
        "removed_question": removed if removed is not None and removed.archived else None,
        "editions": editions,
    }
