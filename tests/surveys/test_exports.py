"""Exports: one row per response, one column per question, choices by label."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from surveys.models import Answer
from tests.builders import choice_ids, make_full_survey, make_responses, valid_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(client, areas):
    survey, qs = make_full_survey()
    multiple = choice_ids(qs["multiple"])
    data = valid_post(
        qs,
        areas[0],
        **{
            qs["multiple"].field_name: [str(multiple[1]), str(multiple[0])],
            qs["text"].field_name: "=cmd()",
        },
    )
    assert client.post(survey.get_public_url(), data).status_code == 302
    other = valid_post(qs, areas[1], **{qs["text"].field_name: ""})
    assert client.post(survey.get_public_url(), other).status_code == 302
    return survey, qs


def _csv_rows(page) -> list[list[str]]:
    text = b"".join(page.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_has_one_row_per_response_and_one_column_per_question(planner_client, answered):
    survey, qs = answered
    page = planner_client.get(reverse("surveys:survey_export_csv", args=[survey.pk]))
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/csv")
    rows = _csv_rows(page)
    header, body = rows[0], rows[1:]
    assert len(body) == 2
    for q in qs.values():
        assert q.text in header
    by_area = {row[header.index(qs["area"].text)]: row for row in body}
    first = by_area["East"]
    # Choices by label, in the question's order, never ids.
    assert first[header.index(qs["multiple"].text)] == "Canteen; Nursery"
    assert first[header.index(qs["single"].text)] == "B"
    assert first[header.index(qs["rating"].text)] == "4"
    # A resident's text can never become a spreadsheet formula.
    assert first[header.index(qs["text"].text)] == "'=cmd()"
    assert by_area["West"][header.index(qs["text"].text)] == ""


def test_xlsx_export(planner_client, answered):
    survey, qs = answered
    page = planner_client.get(reverse("surveys:survey_export_xlsx", args=[survey.pk]))
    assert page.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(page.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    header = list(rows[0])
    assert len(rows) == 3
    assert qs["multiple"].text in header
    column = header.index(qs["multiple"].text)
    assert {row[column] for row in rows[1:]} == {"Canteen; Nursery"}
    assert {row[header.index(qs["rating"].text)] for row in rows[1:]} == {4}


def test_committee_exports_only_their_area(committee_client, answered):
    survey, qs = answered
    rows = _csv_rows(committee_client.get(reverse("surveys:survey_export_csv", args=[survey.pk])))
    header = rows[0]
    assert [row[header.index(qs["area"].text)] for row in rows[1:]] == ["East"]


# --- Hostile text: control characters and formulas never break or arm an export -------------


def _xlsx_rows(page) -> list[list]:
    workbook = load_workbook(io.BytesIO(b"".join(page.streaming_content)), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def hostile(areas):
    """A stored answer with a control character, a paper reference with DEL, and question texts
    a spreadsheet would run as formulas."""
    survey, qs = make_full_survey()
    qs["text"].text = qs["text"].text_en = '=HYPERLINK("http://x")'
    qs["text"].save()
    qs["rating"].text = qs["rating"].text_en = "@rate\x02"
    qs["rating"].save()
    response = make_responses(survey, 1, area=areas[0], paper_reference="P\x7f-1")[0]
    Answer.objects.create(response=response, question=qs["text"], text="broken\x01export")
    Answer.objects.create(response=response, question=qs["rating"], number=3)
    return survey, qs


def test_a_control_character_in_an_answer_does_not_break_the_xlsx(planner_client, hostile):
    survey, qs = hostile
    page = planner_client.get(reverse("surveys:survey_export_xlsx", args=[survey.pk]))
    assert page.status_code == 200
    header, row = _xlsx_rows(page)
    assert "brokenexport" in row
    assert "P-1" in row
    # Question texts in the header are escaped like every other cell; numbers stay numbers.
    assert '\'=HYPERLINK("http://x")' in header
    assert "'@rate" in header
    assert row[header.index("'@rate")] == 3


def test_a_control_character_in_an_answer_is_left_out_of_the_csv(planner_client, hostile):
    survey, qs = hostile
    page = planner_client.get(reverse("surveys:survey_export_csv", args=[survey.pk]))
    assert page.status_code == 200
    header, row = _csv_rows(page)
    assert "brokenexport" in row
    assert "P-1" in row
    assert '\'=HYPERLINK("http://x")' in header
    assert row[header.index("'@rate")] == "3"
