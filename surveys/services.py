"""Writes of the surveys app: every multi-row write in one transaction.

Responses: `submit_response` stores a questionnaire and its answers, or returns the one already
stored with the same idempotency key (a double tap, a retry, or a concurrent duplicate that lost
the race on the unique constraint). Definitions: questions and choices are archived, never
deleted, once the survey has responses.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fenglin.archive import set_archived
from fenglin.versioning import ensure_unchanged
from sites.selectors import area_for_point
from surveys.forms import Submission
from surveys.models import (
    Answer,
    Channel,
    Choice,
    FieldVisit,
    Question,
    RespondentGroup,
    Response,
    Survey,
    SurveyEdition,
    SurveyStatus,
)
from surveys.publish import check_survey
from surveys.selectors import questions_for


class SurveyNotAccepting(Exception):
    """The survey is closed or not yet open."""


class AlreadyAnswered(Exception):
    """This device has already answered a one-response-per-device survey."""


class DuplicatePaperReference(Exception):
    """A paper questionnaire with this number is already stored in the survey."""

    def __init__(self, stored: Response):
        super().__init__(stored.paper_reference)
        self.stored = stored


class DefinitionLocked(Exception):
    """A change that would orphan answers."""


@dataclass(frozen=True)
class Stored:
    response: Response
    created: bool


def bump_results_version(survey_id: int) -> None:
    """Invalidate every cached result of a survey after a change that neither adds nor removes a
    response, such as editing answers in bulk (call inside the writing transaction)."""
    Survey.objects.filter(pk=survey_id).update(results_version=F("results_version") + 1)


def answer_rows(response: Response, answers) -> list[Answer]:
    """Answer rows for (question id or object, choice, number, text) tuples, numbering the rows
    of each question from 0 (see Answer.position)."""
    seen: dict[int, int] = {}
    rows = []
    for question, choice, number, text in answers:
        key = getattr(question, "pk", question)
        position = seen.get(key, 0)
        seen[key] = position + 1
        rows.append(
            Answer(
                response=response,
                question_id=key,
                choice_id=getattr(choice, "pk", choice),
                number=number,
                text=text,
                position=position,
                has_elderly=response.has_elderly,
                has_children=response.has_children,
                has_disabled=response.has_disabled,
            )
        )
    return rows


def _stored_with_key(survey: Survey, idempotency_key: uuid.UUID) -> Response | None:
    return Response.objects.filter(survey=survey, idempotency_key=idempotency_key).first()


def submit_response(
    *,
    survey: Survey,
    submission: Submission,
    idempotency_key: uuid.UUID,
    channel: str = Channel.ONLINE,
    client_hash: str = "",
    device_hash: str = "",
    entered_by=None,
    paper_reference: str = "",
    now=None,
) -> Stored:
    """Store one questionnaire with its answers, once per idempotency key.

    A second call with the same key (even concurrently, from another server) stores nothing and
    returns the first response. Raises SurveyNotAccepting for an online answer to a survey that
    is not open, and AlreadyAnswered when the device has answered a one-per-device survey.
    """
    now = now or timezone.now()
    if channel == Channel.ONLINE and not survey.is_accepting(now):
        raise SurveyNotAccepting
    if channel == Channel.PAPER and survey.status == SurveyStatus.DRAFT:
        raise SurveyNotAccepting
    if not survey.one_response_per_device:
        device_hash = ""
    elif device_hash and Response.objects.filter(survey=survey, device_hash=device_hash).exists():
        # A retry of this device's stored questionnaire is still a success, not a refusal.
        existing = _stored_with_key(survey, idempotency_key)
        if existing is not None:
            return Stored(existing, created=False)
        raise AlreadyAnswered
    if paper_reference:
        # Checked first for a message that names the stored questionnaire; the unique
        # constraint still decides a race below.
        clash = _stored_paper(survey, paper_reference, other_than=idempotency_key)
        if clash is not None:
            raise DuplicatePaperReference(clash)
    # No "already stored?" query first: the unique constraint answers that, race-free.
    area_id = submission.area_id
    if area_id is None and submission.latitude is not None:
        area = area_for_point(submission.latitude, submission.longitude)
        area_id = area.pk if area else None
    response = Response(
        survey=survey,
        channel=channel,
        area_id=area_id,
        latitude=submission.latitude,
        longitude=submission.longitude,
        submitted_at=now,
        idempotency_key=idempotency_key,
        entered_by=entered_by,
        paper_reference=paper_reference,
        client_hash=client_hash,
        device_hash=device_hash,
        has_elderly=RespondentGroup.ELDERLY in submission.groups,
        has_children=RespondentGroup.CHILDREN in submission.groups,
        has_disabled=RespondentGroup.DISABLED in submission.groups,
        edition=survey.edition,
    )
    try:
        # One transaction for the response and its answers; losing the race on the unique
        # constraint rolls it back whole (a savepoint when a caller's transaction is open).
        with transaction.atomic():
            response.save(force_insert=True)
            Answer.objects.bulk_create(answer_rows(response, submission.answers))
    except IntegrityError:
        first = _stored_with_key(survey, idempotency_key)
        if first is not None:
            return Stored(first, created=False)
        if device_hash:
            raise AlreadyAnswered from None
        clash = _stored_paper(survey, paper_reference, other_than=idempotency_key)
        if clash is not None:
            raise DuplicatePaperReference(clash) from None
        raise
    # No write to the survey row: cached results see the new response through its id and count
    # (selectors.results_state), so concurrent submissions share no lock.
    return Stored(response, created=True)


def _stored_paper(survey: Survey, reference: str, *, other_than: uuid.UUID) -> Response | None:
    if not reference:
        return None
    return (
        Response.objects.filter(survey=survey, paper_reference=reference)
        .exclude(idempotency_key=other_than)
        .first()
    )


# --- Survey definitions --------------------------------------------------------------------


@transaction.atomic
def save_survey(*, form) -> Survey:
    """Create or update a survey from a valid SurveyForm.

    An edit raises EditConflict when someone else saved a field of the form since it was loaded.
    """
    ensure_unchanged(form.instance, form.loaded())
    return form.save()


@transaction.atomic
def set_survey_status(*, survey: Survey, status: str) -> Survey:
    """Open or close a survey by hand. Opening runs the publish check (surveys.publish): what
    residents could not complete blocks it; warnings do not. The first opening records the
    survey's first edition."""
    if status == SurveyStatus.OPEN:
        blocking = check_survey(survey).blocking
        if blocking:
            raise DefinitionLocked(
                _("Residents could not complete this survey: %(problems)s. Fix it, then open it.")
                % {"problems": pgettext("list separator", "; ").join(map(str, blocking))}
            )
    survey.status = status
    if status == SurveyStatus.OPEN and survey.closes_at and survey.closes_at <= timezone.now():
        # Opening by hand overrides a closing date that has passed.
        survey.closes_at = None
    survey.save()
    if status != SurveyStatus.DRAFT:
        record_edition(survey=survey)
    return survey


@transaction.atomic
def archive_survey(*, survey: Survey, user) -> Survey:
    """Hide a survey from the list, keeping its questions, responses and history. An open
    survey is closed first, so residents never answer one staff cannot see."""
    if survey.status == SurveyStatus.OPEN:
        raise ValidationError(_("Close the survey before archiving it."))
    set_archived(survey, archived=True, user=user)
    return survey


@transaction.atomic
def restore_survey(*, survey: Survey, user) -> Survey:
    set_archived(survey, archived=False, user=user)
    return survey


def _snapshot(survey: Survey) -> list[dict]:
    """The asked questions with their options and conditions, as plain JSON."""

    def plain(value):
        return None if value is None else str(value)

    return [
        {
            "id": q.pk,
            "kind": q.kind,
            "text": q.text,
            "text_en": q.text_en,
            "required": q.required,
            "limits": [plain(q.min_value), plain(q.max_value), q.max_choices, q.max_length],
            "integer_only": q.integer_only,
            "choices": [
                {"id": c.pk, "label": c.label, "label_en": c.label_en, "exclusive": c.exclusive}
                for c in q.active_choices
            ],
            "join": q.condition_join,
            "conditions": [
                [c.source_id, c.operator, c.choice_id, plain(c.number)] for c in q.condition_list
            ],
        }
        for q in questions_for(survey)
    ]


@transaction.atomic
def record_edition(*, survey: Survey, user=None) -> SurveyEdition | None:
    """Record the questions of a published survey as a new edition when they differ from the
    last one (the first call records the edition residents have been answering). Responses
    store the survey's edition number when they are submitted."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)  # one number per change
    if survey.status == SurveyStatus.DRAFT:
        return None
    questions = _snapshot(survey)
    latest = survey.editions.order_by("-number").first()
    if latest is not None and latest.questions == questions:
        return None
    number = survey.edition if latest is None else latest.number + 1
    edition = SurveyEdition.objects.create(
        survey=survey, number=number, questions=questions, created_by=user
    )
    if number != survey.edition:
        Survey.objects.filter(pk=survey.pk).update(edition=number)
    return edition


def _keep_baseline(survey: Survey) -> None:
    """Before the first change to a published survey recorded no edition yet, keep the
    questions it was answered with as its current edition."""
    if survey.status != SurveyStatus.DRAFT and not survey.editions.exists():
        record_edition(survey=survey)


def survey_has_responses(survey: Survey) -> bool:
    return survey.responses.exists()


@transaction.atomic
def save_question(
    *, survey: Survey, form, choice_formset=None, condition_formset=None, user=None
) -> Question:
    """Save a question, its choices (in the formset's order; removed ones archived once
    answered) and its conditions; a published survey records a new edition."""
    _keep_baseline(survey)
    question = form.save(commit=False)
    if question.pk is None:
        question.survey = survey
        top = survey.questions.aggregate(top=Max("order"))["top"]
        question.order = 0 if top is None else top + 1
    elif question.answers.exists():
        stored_kind = Question.objects.values_list("kind", flat=True).get(pk=question.pk)
        if stored_kind != question.kind:
            raise DefinitionLocked(_("This question already has answers: its kind cannot change."))
    question.save()
    if choice_formset is not None and question.has_choices:
        _save_choices(question, choice_formset)
    if condition_formset is not None:
        condition_formset.instance = question
        condition_formset.save()
    record_edition(survey=survey, user=user)
    return question


def _save_choices(question: Question, formset) -> None:
    formset.instance = question
    for choice_form in formset.deleted_forms:
        if choice_form.instance.pk is not None:
            remove_choice(choice=choice_form.instance)
    # ordered_forms: the kept rows sorted by their order field (rows left without one last).
    kept = formset.ordered_forms if formset.can_order else formset.forms
    order = 0
    for choice_form in kept:
        if not choice_form.has_changed() and choice_form.instance.pk is None:
            continue
        choice = choice_form.save(commit=False)
        choice.question = question
        choice.order = order
        order += 1
        choice.save()


@transaction.atomic
def remove_choice(*, choice: Choice) -> str:
    """Delete a choice, or archive it when it has answers or its survey has responses."""
    if choice.answers.exists() or survey_has_responses(choice.question.survey):
        choice.archived = True
        choice.save(update_fields=["archived"])
        return "archived"
    choice.delete()
    return "deleted"


@transaction.atomic
def remove_question(*, question: Question, user=None) -> str:
    """Stop asking a question: it is archived, never deleted, so its answers are kept and the
    removal can be undone (restore_question)."""
    _keep_baseline(question.survey)
    question.archived = True
    question.save(update_fields=["archived"])
    record_edition(survey=question.survey, user=user)
    return "archived"


@transaction.atomic
def restore_question(*, question: Question, user=None) -> Question:
    _keep_baseline(question.survey)
    question.archived = False
    question.save(update_fields=["archived"])
    record_edition(survey=question.survey, user=user)
    return question


@transaction.atomic
def move_question(*, question: Question, direction: str) -> None:
    """Swap a question with its neighbour above ("up") or below ("down")."""
    _keep_baseline(question.survey)
    siblings = list(question.survey.questions.order_by("order", "pk"))
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, item in enumerate(siblings):
        if item.order != position:
            item.order = position
            item.save(update_fields=["order"])
    record_edition(survey=question.survey)


# --- Field visits --------------------------------------------------------------------------


@transaction.atomic
def record_field_visit(*, form, user) -> FieldVisit:
    """Save a field visit from a valid FieldVisitForm; a site's area fills a missing area."""
    visit = form.save(commit=False)
    if visit.area_id is None and visit.site_id is not None:
        visit.area_id = visit.site.area_id
    if visit.recorded_by_id is None:
        visit.recorded_by = user
    visit.save()
    form.save_m2m()
    return visit


def create_field_visit(
    *,
    visit_date: date,
    area=None,
    site=None,
    residents_count: int = 0,
    notes: str = "",
    needs=(),
    user=None,
) -> FieldVisit:
    with transaction.atomic():
        visit = FieldVisit.objects.create(
            date=visit_date,
            area=area or (site.area if site else None),
            site=site,
            residents_count=residents_count,
            notes=notes,
            recorded_by=user,
        )
        visit.needs.set(needs)
    return visit
