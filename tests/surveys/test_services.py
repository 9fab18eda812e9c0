"""Writes: responses stored once per key (including the race on the unique constraint),
definitions archived rather than deleted once answered, results versions bumped."""

import uuid

import pytest
from django.db import IntegrityError, connection
from django.db.models.deletion import ProtectedError
from django.test.utils import CaptureQueriesContext

from surveys import services
from surveys.forms import Submission
from surveys.models import Answer, Channel, Choice, Question, Response, Survey, SurveyStatus
from tests.builders import make_question, make_responses, make_survey

pytestmark = pytest.mark.django_db


def _submission(q, choice) -> Submission:
    return Submission(answers=[(q.pk, choice.pk, None, "")])


def test_submit_stores_response_and_answers_without_writing_the_survey_row():
    """Concurrent submissions must not queue on a lock of the survey row."""
    survey = make_survey()
    q = make_question(survey, "single", choices=["a", "b"])
    with CaptureQueriesContext(connection) as captured:
        stored = services.submit_response(
            survey=survey,
            submission=_submission(q, q.choices.first()),
            idempotency_key=uuid.uuid4(),
        )
    assert stored.created
    assert Answer.objects.get().response == stored.response
    writes = [x["sql"] for x in captured.captured_queries if x["sql"].startswith("UPDATE")]
    assert writes == []


def test_a_second_submission_with_the_key_is_answered_by_the_unique_constraint():
    """No "already stored?" query guards the insert: the constraint catches the duplicate (as
    it does when two servers race), the attempt is rolled back and the first response returned."""
    survey = make_survey()
    q = make_question(survey, "single", choices=["a"])
    key = uuid.uuid4()
    first = services.submit_response(
        survey=survey, submission=_submission(q, q.choices.first()), idempotency_key=key
    ).response
    again = services.submit_response(
        survey=survey, submission=_submission(q, q.choices.first()), idempotency_key=key
    )
    assert not again.created
    assert again.response.pk == first.pk
    assert Response.objects.count() == 1
    assert Answer.objects.count() == 1
    # The transaction is still usable after the caught IntegrityError.
    assert Survey.objects.filter(pk=survey.pk).exists()


def test_the_unique_constraint_exists_in_the_database():
    survey = make_survey()
    key = uuid.uuid4()
    Response.objects.create(survey=survey, idempotency_key=key)
    with pytest.raises(IntegrityError):
        Response.objects.create(survey=survey, idempotency_key=key)


def test_same_key_in_another_survey_is_another_response():
    key = uuid.uuid4()
    for _ in range(2):
        survey = make_survey()
        q = make_question(survey, "single", choices=["a"])
        services.submit_response(
            survey=survey, submission=_submission(q, q.choices.first()), idempotency_key=key
        )
    assert Response.objects.count() == 2


def test_online_answers_need_an_accepting_survey_but_paper_entry_may_follow_closing():
    survey = make_survey(status=SurveyStatus.CLOSED)
    q = make_question(survey, "single", choices=["a"])
    with pytest.raises(services.SurveyNotAccepting):
        services.submit_response(
            survey=survey,
            submission=_submission(q, q.choices.first()),
            idempotency_key=uuid.uuid4(),
        )
    stored = services.submit_response(
        survey=survey,
        submission=_submission(q, q.choices.first()),
        idempotency_key=uuid.uuid4(),
        channel=Channel.PAPER,
    )
    assert stored.created and stored.response.channel == Channel.PAPER


def test_a_survey_with_responses_archives_questions_and_choices_instead_of_deleting():
    survey = make_survey()
    answered = make_question(survey, "single", choices=["a", "b"])
    unanswered = make_question(survey, "text")
    make_responses(survey, 1, choices=[answered.choices.first()])
    assert services.remove_question(question=unanswered) == "archived"
    assert services.remove_question(question=answered) == "archived"
    assert services.remove_choice(choice=answered.choices.last()) == "archived"
    assert Question.objects.filter(archived=True).count() == 2
    assert Choice.objects.filter(archived=True).count() == 1
    assert Answer.objects.count() == 1


def test_a_removed_question_is_archived_so_it_can_be_restored():
    survey = make_survey()
    q = make_question(survey, "single", choices=["a", "b"])
    assert services.remove_question(question=q) == "archived"
    assert Question.objects.get().archived and Choice.objects.count() == 2
    services.restore_question(question=q)
    assert not Question.objects.get().archived


def test_answers_protect_their_question_and_choice_in_the_database():
    survey = make_survey()
    q = make_question(survey, "single", choices=["a"])
    make_responses(survey, 1, choices=[q.choices.first()])
    with pytest.raises(ProtectedError):
        q.choices.first().delete()
    with pytest.raises(ProtectedError):
        Question.objects.get(pk=q.pk).delete()


def test_move_question_swaps_neighbours():
    survey = make_survey()
    first, second, third = (make_question(survey, "text") for _ in range(3))
    services.move_question(question=third, direction="up")
    order = list(survey.questions.order_by("order").values_list("pk", flat=True))
    assert order == [first.pk, third.pk, second.pk]
    services.move_question(question=first, direction="up")  # already first: nothing changes
    assert list(survey.questions.order_by("order").values_list("pk", flat=True)) == order


def test_opening_needs_a_question():
    survey = make_survey(status=SurveyStatus.DRAFT)
    with pytest.raises(services.DefinitionLocked):
        services.set_survey_status(survey=survey, status=SurveyStatus.OPEN)
    make_question(survey, "text")
    services.set_survey_status(survey=survey, status=SurveyStatus.OPEN)
    assert Survey.objects.get().is_accepting()


def test_staff_edit_never_writes_back_a_stale_results_version():
    survey = make_survey()
    stale = Survey.objects.get(pk=survey.pk)
    services.bump_results_version(survey.pk)
    stale.title = "renamed"
    stale.save()
    fresh = Survey.objects.get(pk=survey.pk)
    assert fresh.title == "renamed"
    assert fresh.results_version == survey.results_version + 1


def test_deleting_a_response_bumps_the_version():
    survey = make_survey()
    (response,) = make_responses(survey, 1)
    version = survey.results_version
    response.delete()
    survey.refresh_from_db()
    assert survey.results_version == version + 1
