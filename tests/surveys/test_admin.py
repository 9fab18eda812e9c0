"""Admin: definitions keep their history; answered surveys cannot lose questions or choices."""

import pytest
from django.urls import reverse

from tests.builders import make_question, make_responses, make_survey

pytestmark = pytest.mark.django_db


def test_admin_pages_open(client, admin_user):
    client.force_login(admin_user)
    survey = make_survey()
    q = make_question(survey, "single", choices=["a"])
    make_responses(survey, 1, choices=[q.choices.get()])
    for url in (
        reverse("admin:surveys_survey_changelist"),
        reverse("admin:surveys_survey_change", args=[survey.pk]),
        reverse("admin:surveys_survey_history", args=[survey.pk]),
        reverse("admin:surveys_question_change", args=[q.pk]),
        reverse("admin:surveys_response_changelist"),
        reverse("admin:surveys_fieldvisit_changelist"),
    ):
        assert client.get(url).status_code == 200, url


def test_answered_questions_and_choices_cannot_be_deleted_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    survey = make_survey()
    q = make_question(survey, "single", choices=["a", "b"])
    make_responses(survey, 1, choices=[q.choices.first()])
    assert client.get(reverse("admin:surveys_question_delete", args=[q.pk])).status_code == 403
    choice = q.choices.last()
    assert client.get(reverse("admin:surveys_choice_delete", args=[choice.pk])).status_code == 403


def test_unanswered_question_can_be_deleted_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    q = make_question(make_survey(), "text")
    assert client.get(reverse("admin:surveys_question_delete", args=[q.pk])).status_code == 200


def test_definition_changes_are_recorded(admin_user):
    survey = make_survey()
    q = make_question(survey, "single", choices=["a"])
    q.text = "changed"
    q.save()
    assert survey.history.count() == 1
    assert q.history.count() == 2
    assert q.choices.get().history.count() == 1
