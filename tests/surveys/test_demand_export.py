"""The demand export: one row per area × service with every input of its figure (N, n, R, k,
rate, population, group) and the question it came from, equal to demand_table's; CSV and XLSX;
committee staff get their own area only."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from surveys.demand import DEFAULT_K, demand_table
from tests.builders import (
    make_area,
    make_need_question,
    make_response,
    make_service_type,
    make_survey,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    canteen = make_service_type("canteen", target_group="elderly", threshold_m=300)
    nursery = make_service_type("nursery", target_group="children", threshold_m=500)
    a = make_area(name="A", code="a", population_total=5000, population_elderly=1000)
    b = make_area(name="B", code="b", population_total=3000, illustrative=True)
    survey = make_survey(title_en="Needs")
    choices = make_need_question(survey, [canteen, nursery])
    for _ in range(3):
        make_response(survey, a, [choices["canteen"]])
    make_response(survey, b, [choices["canteen"], choices["nursery"]])
    make_response(survey, b, [])
    return survey, (a, b), (canteen, nursery)


def _csv(page) -> list[dict]:
    text = b"".join(page.streaming_content if page.streaming else [page.content]).decode()
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_has_one_row_per_area_and_service_equal_to_demand_table(english, planner, case):
    survey, areas, services = case
    english.force_login(planner)
    page = english.get(reverse("surveys:demand_export_csv", args=[survey.pk]))
    assert page.status_code == 200
    rows = _csv(page)
    expected = demand_table(survey_ids=[survey.pk], service_types=services)
    assert len(rows) == len(expected) == len(areas) * len(services)
    by_key = {(r["area code"], r["service code"]): r for r in rows}
    wording = survey.questions.get().text_en  # the page is read in English
    for row in expected:
        line = by_key[(row.area.code, row.service_type.code)]
        assert int(line["respondents in the area (N)"]) == row.respondents
        assert int(line["respondents who chose it (n)"]) == row.choosers
        assert float(line["street-wide rate (R)"]) == pytest.approx(row.street_rate, abs=1e-6)
        assert float(line["prior strength (k)"]) == DEFAULT_K
        assert float(line["need rate r = (k·R + n) / (k + N)"]) == pytest.approx(row.rate, 1e-5)
        if row.population is None:
            assert line["population"] == ""
        else:
            assert float(line["population"]) == pytest.approx(row.population, abs=0.05)
        assert float(line["demand"]) == pytest.approx(row.measured, abs=0.01)
        assert line["question"] == wording == "; ".join(row.questions)
        assert line["whose answers count"] == str(row.group_label)
        assert line["source"] == str(row.source_label)
    assert by_key[("b", "canteen")]["illustrative"] == "yes"
    assert by_key[("a", "canteen")]["illustrative"] == ""


def test_xlsx_holds_the_same_rows(english, planner, case):
    survey, areas, services = case
    english.force_login(planner)
    page = english.get(reverse("surveys:demand_export_xlsx", args=[survey.pk]))
    assert page.status_code == 200
    content = b"".join(page.streaming_content) if page.streaming else page.content
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    lines = list(sheet.iter_rows(values_only=True))
    assert "need rate r = (k·R + n) / (k + N)" in lines[0]
    assert len(lines) - 1 == len(areas) * len(services)


def test_committee_member_gets_their_own_area(client, case):
    survey, (a, _b), services = case
    from fenglin import roles

    client.force_login(make_user("committee-a", roles.COMMITTEE, area=a))
    rows = _csv(client.get(reverse("surveys:demand_export_csv", args=[survey.pk])))
    assert len(rows) == len(services)


def test_the_results_page_links_the_export(english, planner, case):
    survey, _areas, _services = case
    english.force_login(planner)
    html = english.get(reverse("surveys:survey_results", args=[survey.pk])).content.decode()
    assert reverse("surveys:demand_export_csv", args=[survey.pk]) in html
    assert reverse("surveys:demand_export_xlsx", args=[survey.pk]) in html


def test_anonymous_visitor_is_sent_to_log_in(client, case):
    survey, _areas, _services = case
    page = client.get(reverse("surveys:demand_export_csv", args=[survey.pk]))
    assert page.status_code in (302, 403)
