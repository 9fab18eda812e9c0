"""Paper questionnaire numbers are unique per survey: the same number keyed in twice is refused,
pointing at the stored questionnaire, and is counted once."""

import pytest
from django.urls import reverse

from surveys.models import Response
from tests.builders import make_full_survey, valid_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_and_questions(areas):
    return make_full_survey()


def test_a_number_keyed_in_twice_is_refused_next_to_the_field(
    planner_client, survey_and_questions, areas
):
    survey, qs = survey_and_questions
    entry = reverse("surveys:paper_entry", args=[survey.pk])
    first = planner_client.post(entry, valid_post(qs, areas[0], paper_reference="P-001"))
    assert first.status_code == 302
    stored = Response.objects.get()

    again = planner_client.post(entry, valid_post(qs, areas[1], paper_reference=" P-001 "))

    assert again.status_code == 200
    errors = again.context["form"].errors["paper_reference"]
    assert "P-001" in errors[0] and str(stored.pk) in errors[0]
    assert Response.objects.count() == 1
    # The answers typed so far stay in the form, ready to correct the number.
    assert again.context["form"].data[qs["area"].field_name] == str(areas[1].pk)


def test_the_same_form_sent_twice_is_still_one_thank_you(
    planner_client, survey_and_questions, areas
):
    survey, qs = survey_and_questions
    entry = reverse("surveys:paper_entry", args=[survey.pk])
    data = valid_post(qs, areas[0], paper_reference="P-002")
    assert planner_client.post(entry, data).status_code == 302
    assert planner_client.post(entry, data).status_code == 302
    assert Response.objects.count() == 1


def test_numbers_are_unique_per_survey_not_across_surveys(
    planner_client, survey_and_questions, areas
):
    survey, qs = survey_and_questions
    other, other_qs = make_full_survey(title="Second round")
    for s, q in ((survey, qs), (other, other_qs)):
        page = planner_client.post(
            reverse("surveys:paper_entry", args=[s.pk]),
            valid_post(q, areas[0], paper_reference="P-003"),
        )
        assert page.status_code == 302
    assert Response.objects.filter(paper_reference="P-003").count() == 2


def test_the_database_refuses_a_duplicate_number_too(survey_and_questions, areas):
    from django.db import IntegrityError, transaction

    from tests.builders import make_responses

    survey, _ = survey_and_questions
    make_responses(survey, 1, area=areas[0], paper_reference="P-004")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_responses(survey, 1, area=areas[0], paper_reference="P-004")
