"""Demand per area and service: a small case computed by hand."""

import pytest

from surveys.demand import demand_table, shrunk_rate
from tests.builders import (
    make_area,
    make_need_question,
    make_response,
    make_service_type,
    make_survey,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    """Three areas, one needs survey about the canteen (elderly) and the nursery (children).

    A: 4 respondents, 3 ask for the canteen;  B: 6 respondents, 1 asks;
    C: 2 respondents, both ask, and C has no figure for the elderly;  D: nobody answered.
    """
    canteen = make_service_type("canteen", target_group="elderly", threshold_m=300)
    nursery = make_service_type("nursery", target_group="children", threshold_m=500)
    a = make_area(name="A", code="a", population_total=5000, population_elderly=1000)
    b = make_area(name="B", code="b", population_total=3000, population_elderly=200)
    c = make_area(name="C", code="c", population_total=800, population_elderly=None)
    d = make_area(name="D", code="d", population_total=900, population_elderly=300)
    survey = make_survey()
    choices = make_need_question(survey, [canteen, nursery])
    for _ in range(3):
        make_response(survey, a, [choices["canteen"]])
    make_response(survey, a, [choices["nursery"]])
    make_response(survey, b, [choices["canteen"], choices["nursery"]])
    for _ in range(5):
        make_response(survey, b, [])
    make_response(survey, c, [choices["canteen"]])
    make_response(survey, c, [choices["canteen"]])
    # Neither a response without an area nor one to a draft survey counts.
    make_response(survey, None, [choices["canteen"]])
    draft = make_survey(status="draft")
    make_response(draft, a, [make_need_question(draft, [canteen])["canteen"]])
    return {"canteen": canteen, "nursery": nursery, "a": a, "b": b, "c": c, "d": d}


def _rows(case, **kwargs):
    rows = demand_table(service_types=[case["canteen"]], **kwargs)
    return {r.area.code: r for r in rows}


def test_demand_by_hand(case):
    rows = _rows(case)
    street = (3 + 1 + 2) / (4 + 6 + 2)  # R = Σn / ΣN = 0.5
    assert rows["a"].respondents == 4 and rows["a"].choosers == 3
    assert rows["a"].street_rate == pytest.approx(street)
    assert rows["a"].rate == pytest.approx((10 * street + 3) / (10 + 4))
    assert rows["a"].demand == pytest.approx((10 * street + 3) / (10 + 4) * 1000)
    assert rows["b"].demand == pytest.approx((10 * street + 1) / (10 + 6) * 200)
    assert rows["d"].respondents == 0
    assert rows["d"].rate == pytest.approx(street)
    assert rows["d"].demand == pytest.approx(street * 300)


def test_area_without_population_falls_back_to_counts(case):
    c = _rows(case)["c"]
    assert c.population is None
    assert c.uses_population is False
    assert c.demand == 2
    assert c.rate == pytest.approx((10 * 0.5 + 2) / (10 + 2))


def test_k_zero_gives_raw_rates(case):
    rows = _rows(case, k=0)
    assert rows["a"].rate == pytest.approx(3 / 4)
    assert rows["b"].rate == pytest.approx(1 / 6)
    assert rows["d"].rate == pytest.approx(0.5)  # no data, no prior: the street-wide rate


def test_large_k_pulls_every_area_to_the_street_rate(case):
    rows = _rows(case, k=1_000_000)
    for row in rows.values():
        assert row.rate == pytest.approx(0.5, abs=1e-4)


def test_choosing_two_choices_for_one_service_counts_once(case):
    survey = make_survey()
    q1 = make_need_question(survey, [case["canteen"]])["canteen"]
    q2 = make_need_question(survey, [case["canteen"]])["canteen"]
    make_response(survey, case["d"], [q1, q2])
    rows = _rows(case, survey_ids=[survey.pk])
    assert rows["d"].respondents == 1
    assert rows["d"].choosers == 1


def test_survey_selection_and_draft_surveys(case):
    draft = make_survey(status="draft")
    choice = make_need_question(draft, [case["canteen"]])["canteen"]
    make_response(draft, case["d"], [choice])
    assert _rows(case)["d"].respondents == 0
    assert _rows(case, survey_ids=[draft.pk])["d"].respondents == 1


def test_other_services_do_not_mix(case):
    rows = {r.area.code: r for r in demand_table(service_types=[case["nursery"]])}
    assert rows["a"].choosers == 1
    assert rows["b"].choosers == 1
    assert rows["a"].street_rate == pytest.approx(2 / 12)
    # The nursery's age band 0–3: 4/7 of the builder's 300 children 0–6.
    assert rows["a"].population == pytest.approx(300 * 4 / 7)


def test_street_rate_counts_every_area_even_when_some_are_left_out(case):
    rows = demand_table(service_types=[case["canteen"]], areas=[case["a"]])
    assert len(rows) == 1
    assert rows[0].street_rate == pytest.approx(0.5)


def test_negative_k_is_refused():
    with pytest.raises(ValueError):
        demand_table(k=-1)


def test_shrunk_rate_formula():
    assert shrunk_rate(3, 4, 0.5, 10) == pytest.approx(8 / 14)
    assert shrunk_rate(0, 0, 0.25, 0) == 0.25


def test_queries_do_not_grow_with_responses(case, django_assert_max_num_queries):
    # Service types, areas, the need questions' choices, respondents, choosers.
    with django_assert_max_num_queries(5):
        demand_table()
