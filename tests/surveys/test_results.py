"""The results page: counts and percentages per option (never combinations), breakdowns by
group and area, a query count independent of the number of responses, never stale."""

import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from surveys import selectors, services
from surveys.forms import Submission
from surveys.models import QuestionKind
from tests.builders import make_full_survey, make_question, make_responses, make_survey, valid_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_with_needs(areas):
    survey = make_survey()
    needs = make_question(survey, QuestionKind.MULTIPLE, choices=["Canteen", "Nursery", "Laundry"])
    return survey, needs


def _result_for(results, question):
    return next(r for r in results["questions"] if r.question.pk == question.pk)


def test_multiple_choice_counts_each_option_as_a_share_of_respondents(survey_with_needs, areas):
    survey, needs = survey_with_needs
    canteen, nursery, laundry = needs.choices.order_by("order")
    make_responses(survey, 3, area=areas[0], choices=[canteen, nursery], has_elderly=True)
    make_responses(survey, 1, area=areas[1], choices=[canteen])
    results = selectors.survey_results(survey)
    result = _result_for(results, needs)
    counts = {c.choice.label: (c.count, c.percent) for c in result.choices}
    assert result.answered == 4
    assert counts == {"Canteen": (4, 100.0), "Nursery": (3, 75.0), "Laundry": (0, 0.0)}
    by_group = {c.choice.label: c.group_percents["elderly"] for c in result.choices}
    assert by_group == {"Canteen": 100.0, "Nursery": 100.0, "Laundry": 0.0}
    assert results["totals"]["total"] == 4 and results["totals"]["elderly"] == 3


def test_filters_by_area_and_group(survey_with_needs, areas):
    survey, needs = survey_with_needs
    canteen, nursery, _laundry = needs.choices.order_by("order")
    make_responses(survey, 2, area=areas[0], choices=[canteen], has_elderly=True)
    make_responses(survey, 5, area=areas[1], choices=[nursery], has_children=True)
    west = _result_for(selectors.survey_results(survey, area_id=areas[1].pk), needs)
    assert {c.choice.label: c.count for c in west.choices}["Nursery"] == 5
    assert {c.choice.label: c.count for c in west.choices}["Canteen"] == 0
    elderly = selectors.survey_results(survey, group="elderly")
    assert elderly["totals"]["total"] == 2


def test_rating_and_number_statistics(areas):
    survey, qs = make_full_survey()
    for rating, number in [("5", "2"), ("3", "4"), ("4", "9")]:
        data = valid_post(
            qs, areas[0], **{qs["rating"].field_name: rating, qs["number"].field_name: number}
        )
        assert Client().post(survey.get_public_url(), data).status_code == 302
    results = selectors.survey_results(survey)
    rating = _result_for(results, qs["rating"])
    assert rating.answered == 3
    assert [count for _value, count, _p in rating.ratings] == [0, 0, 1, 1, 1]
    assert rating.average == pytest.approx(4.0)
    number = _result_for(results, qs["number"])
    assert number.average == pytest.approx(5.0) and number.low == 2 and number.high == 9


def test_responses_per_area_against_population(survey_with_needs, areas):
    survey, needs = survey_with_needs
    make_responses(survey, 8, area=areas[0])  # 8 of 4,000 residents: 2.0 per 1,000
    make_responses(survey, 2, area=areas[1])  # 2 of 2,000: 1.0 per 1,000
    make_responses(survey, 1, area=None)
    rows = selectors.survey_results(survey)["areas"]
    assert [(r.area.code if r.area else None, r.per_thousand) for r in rows] == [
        ("west", 1.0),
        ("east", 2.0),
        (None, None),
    ]


def test_new_response_is_seen_at_once_despite_the_cache(survey_with_needs, areas):
    survey, needs = survey_with_needs
    canteen = needs.choices.first()
    make_responses(survey, 2, area=areas[0], choices=[canteen])
    assert selectors.survey_results(survey)["totals"]["total"] == 2
    services.submit_response(
        survey=survey,
        submission=Submission(answers=[(needs.pk, canteen.pk, None, "")]),
        idempotency_key=uuid.uuid4(),
    )
    survey.refresh_from_db()  # as every request does
    assert selectors.survey_results(survey)["totals"]["total"] == 3


def _page_queries(client, survey, django_assert_max_num_queries, budget):
    with django_assert_max_num_queries(budget) as captured:
        page = client.get(reverse("surveys:survey_results", args=[survey.pk]))
    assert page.status_code == 200
    return len(captured.captured_queries)


def test_results_query_count_is_the_same_at_10_and_10000_responses(
    planner_client, survey_with_needs, areas, django_assert_max_num_queries
):
    survey, needs = survey_with_needs
    choices = list(needs.choices.all()[:2])
    make_responses(survey, 10, area=areas[0], choices=choices)
    cache.clear()
    small = _page_queries(planner_client, survey, django_assert_max_num_queries, 25)
    make_responses(survey, 9990, area=areas[1], choices=choices, has_elderly=True)
    cache.clear()
    large = _page_queries(planner_client, survey, django_assert_max_num_queries, 25)
    assert large == small
    page = planner_client.get(reverse("surveys:survey_results", args=[survey.pk]))
    assert 'id="total-responses">10000<' in page.content.decode()
    # Warm cache: the aggregates are not recomputed.
    warm = _page_queries(planner_client, survey, django_assert_max_num_queries, 25)
    assert warm < large


def test_results_page_renders_meters_and_the_area_table(planner_client, survey_with_needs, areas):
    survey, needs = survey_with_needs
    make_responses(survey, 4, area=areas[0], choices=[needs.choices.first()])
    html = planner_client.get(reverse("surveys:survey_results", args=[survey.pk])).content.decode()
    assert '<meter min="0" max="100" value="100.0"' in html
    assert 'id="area-table"' in html and "East" in html
    assert 'style="' not in html
    assert 'id="survey-map-data"' in html
