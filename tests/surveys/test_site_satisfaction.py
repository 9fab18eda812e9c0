"""Site satisfaction: the mean of the answers to rating questions that rate a site."""

import pytest

from sites.models import Site
from surveys.models import Answer, QuestionKind, Response
from surveys.selectors import site_satisfaction
from tests.builders import make_question, make_site, make_survey

pytestmark = pytest.mark.django_db


def answer(question, choice, number) -> None:
    response = Response.objects.create(survey=question.survey)
    Answer.objects.create(response=response, question=question, choice=choice, number=number)


def test_each_rated_site_gets_its_mean_rating_and_count():
    rated, other, unrated = make_site(), make_site(), make_site()
    survey = make_survey()
    rating = make_question(
        survey,
        QuestionKind.RATING,
        choices=[{"label": "A", "site": rated}, {"label": "B", "site": other}],
    )
    on_rated, on_other = rating.choices.order_by("order")
    for number in (5, 4, 3):
        answer(rating, on_rated, number)
    answer(rating, on_other, 2)
    answer(rating, on_other, None)  # skipped: no rating given
    # A number question whose choice names a site is not a rating of it.
    count = make_question(survey, QuestionKind.NUMBER, choices=[{"label": "A", "site": rated}])
    answer(count, count.choices.get(), 1)

    figures = site_satisfaction(Site.objects.all())

    assert figures == {rated.pk: (pytest.approx(4.0), 3), other.pk: (pytest.approx(2.0), 1)}
    assert unrated.pk not in figures
    assert site_satisfaction(Site.objects.filter(pk=other.pk)) == {
        other.pk: (pytest.approx(2.0), 1)
    }
