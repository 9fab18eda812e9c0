"""Results: text answers listed, searched (?q=), paged and exported; SVG distribution charts
for rating and number questions with a title, description and table; the map as responses per
1,000 residents, shaded boundaries where an area has one."""

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from surveys.models import Answer, QuestionKind
from surveys.services import answer_rows
from tests.builders import make_question, make_responses, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(areas):
    survey = make_survey()
    rating = make_question(survey, QuestionKind.RATING, text_en="Rate it")
    number = make_question(
        survey, QuestionKind.NUMBER, min_value=Decimal(0), max_value=Decimal(7), text_en="Visits"
    )
    text = make_question(survey, QuestionKind.TEXT, required=False, text_en="Say")
    responses = make_responses(survey, 6, area=areas[0]) + make_responses(survey, 2, area=areas[1])
    said = ["more benches", "a canteen please", "BENCHES by the park", "", "quiet", "x", "west", ""]
    rows = []
    for i, response in enumerate(responses):
        answers = [(rating, None, Decimal(1 + i % 5), ""), (number, None, Decimal(i % 3), "")]
        if said[i]:
            answers.append((text, None, None, said[i]))
        rows.extend(answer_rows(response, answers))
    Answer.objects.bulk_create(rows)
    survey.refresh_from_db()
    return survey, {"rating": rating, "number": number, "text": text}


def _results(client, survey):
    return client.get(reverse("surveys:survey_results", args=[survey.pk])).content.decode()


def test_rating_and_number_questions_have_an_accessible_svg_chart(english, planner, survey):
    survey, qs = survey
    english.force_login(planner)
    html = _results(english, survey)
    for key in ("rating", "number"):
        pk = qs[key].pk
        svg = re.search(
            rf'<svg class="chart"[^>]*aria-labelledby="chart-{pk}-title[^"]*".*?</svg>', html, re.S
        )
        assert svg, key
        assert f'<title id="chart-{pk}-title">' in svg.group(0)
        assert f'<desc id="chart-{pk}-desc">' in svg.group(0)
        assert "style=" not in svg.group(0)
    # The number chart's table: values 0, 1, 2 answered 3, 3 and 2 times.
    table = html[html.index(f'id="distribution-{qs["number"].pk}"') :]
    table = table[: table.index("</table>")]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", table)
    assert cells == ["0", "3", "1", "3", "2", "2"]


def test_text_answers_are_listed_on_the_results_page(english, planner, survey):
    survey, qs = survey
    english.force_login(planner)
    html = _results(english, survey)
    listed = html[html.index(f'id="text-answers-{qs["text"].pk}"') :]
    assert "west" in listed and "quiet" in listed  # the newest five
    assert reverse("surveys:text_answers", args=[survey.pk]) + f"?question={qs['text'].pk}" in html


def test_text_answers_are_searched_paged_and_exported(english, planner, survey):
    survey, qs = survey
    english.force_login(planner)
    url = reverse("surveys:text_answers", args=[survey.pk])
    html = english.get(url, {"q": "bench", "question": qs["text"].pk}).content.decode()
    assert "more benches" in html and "BENCHES by the park" in html
    assert "a canteen please" not in html
    assert "2 answers contain" in html
    export = english.get(reverse("surveys:text_answers_export", args=[survey.pk]), {"q": "bench"})
    text = b"".join(export.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 3 and {r[-1] for r in rows[1:]} == {"more benches", "BENCHES by the park"}


def test_committee_member_reads_only_their_areas_text(client, committee_user, survey, areas):
    survey, qs = survey
    client.force_login(committee_user)  # East: the first six responses
    url = reverse("surveys:text_answers", args=[survey.pk])
    html = client.get(url).content.decode()
    assert "quiet" in html and "x</td>" in html
    assert "west</td>" not in html  # West's answer
    page = client.get(url, {"page": "999"})
    assert page.status_code == 200


def test_a_survey_without_text_questions_says_so(english, planner, areas):
    survey = make_survey()
    english.force_login(planner)
    page = english.get(reverse("surveys:text_answers", args=[survey.pk]), {"question": "x"})
    assert page.status_code == 200
    assert "This survey has no text questions." in page.content.decode()


def test_map_is_responses_per_thousand_with_boundaries_where_known(english, planner, survey):
    survey, _qs = survey
    english.force_login(planner)
    html = _results(english, survey)
    data = json.loads(re.search(r'id="survey-map-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    by_name = {a["name"]: a for a in data["areas"]}
    assert by_name["East"]["rate"] == 1.5  # 6 of 4,000 residents
    assert "boundary" not in by_name["East"] and "lat" in by_name["East"]
    assert by_name["West"]["rate"] == 1.0  # 2 of 2,000
    assert by_name["West"]["boundary"]["type"] == "Polygon"
