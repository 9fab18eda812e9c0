"""The demand, coverage and gaps pages show the figures a planner relies on."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from scenarios.evaluation import evaluate_service
from scenarios.inputs import Parameters, today_inputs
from sites.models import ServiceType
from tests.builders import make_area, make_site, make_site_service

pytestmark = pytest.mark.django_db

# The world's survey: (asked for the canteen, respondents) per area.
ASKED = {"A": (2, 4), "B": (1, 3), "C": (3, 3)}


def expected_demand(k: float = 10.0) -> dict[str, float]:
    street = sum(a for a, _n in ASKED.values()) / sum(n for _a, n in ASKED.values())
    return {name: (k * street + a) / (k + n) * 1000 for name, (a, n) in ASKED.items()}


def test_demand_page_shows_formula_parameters_and_inputs(english, planner, world):
    english.force_login(planner)
    response = english.get(reverse("scenarios:demand_detail", args=["canteen"]), {"k": "5"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "r(a,s) = (k·R(s) + n(a,s)) / (k + N(a))" in html
    assert world["survey"].title in html
    rows = {r.area.code: r for r in response.context["rows"]}
    demand = expected_demand(k=5)
    for name in "ABC":
        row = rows[f"t-{name.lower()}"]
        assert row.respondents == ASKED[name][1]
        assert row.choosers == ASKED[name][0]
        assert row.demand == pytest.approx(demand[name])
    assert response.context["params"].k == 5
    assert response.context["map_items"][0]["value"] == pytest.approx(demand["A"])


def test_bad_parameters_get_a_message_and_the_defaults(english, planner, world):
    english.force_login(planner)
    response = english.get(reverse("scenarios:demand_detail", args=["canteen"]), {"k": "-3"})
    assert response.status_code == 200
    assert response.context["form"].errors["k"]
    assert response.context["params"].k == 10
    assert 'id="id_k_error"' in response.content.decode()


def test_demand_list_totals(planner_client, world):
    response = planner_client.get(reverse("scenarios:demand_list"))
    totals = {s.service_type.code: s for s in response.context["summaries"]}
    assert totals["canteen"].demand == pytest.approx(sum(expected_demand().values()))
    assert totals["canteen"].choosers == 6


def test_coverage_page_by_hand(planner_client, world):
    response = planner_client.get(reverse("scenarios:coverage_detail", args=["canteen"]))
    assert response.status_code == 200
    m = response.context["metrics"]
    d = expected_demand()
    assert m["total_demand"] == pytest.approx(sum(d.values()), abs=1e-3)
    assert m["share_covered"] == pytest.approx((d["A"] + d["B"]) / sum(d.values()), abs=1e-4)
    assert m["unmet_demand"] == pytest.approx(d["C"], abs=1e-3)
    unmet = {a["area"].code: a["unmet"] for a in response.context["areas"]}
    assert unmet == {"t-a": 0, "t-b": 0, "t-c": pytest.approx(d["C"], abs=1e-3)}
    # Each site serves its own area: load is that area's demand, against capacity 100.
    load = {s["name"]: s for s in m["sites"]}
    assert load["S1"]["load"] == pytest.approx(d["A"], abs=0.01)
    assert load["S1"]["utilisation"] == pytest.approx(d["A"] / 100, abs=1e-3)
    # Elderly: two of three areas' elderly within reach, walking at 50 m/min by default.
    assert m["group_share"]["elderly"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["speed"] == 50
    map_data = response.context["map_data"]
    assert [u["name"] for u in map_data["uncovered"]] == ["Area C"]
    assert map_data["radius"] == pytest.approx(300 / 1.3)


def test_coverage_parameters_change_the_answer(planner_client, world):
    url = reverse("scenarios:coverage_detail", args=["canteen"])
    m = planner_client.get(url, {"speed": "100", "elderly_speed": "25"}).context["metrics"]
    assert m["speed"] == 25


def test_a_detour_in_the_address_cannot_change_the_one_walking_distance(planner_client, world):
    # Distances are the app's one walking model: a page cannot be asked for another detour.
    url = reverse("scenarios:coverage_detail", args=["canteen"])
    usual = planner_client.get(url).context["metrics"]
    asked = planner_client.get(url, {"detour": "3"}).context["metrics"]
    assert asked["share_covered"] == usual["share_covered"]
    assert asked["areas"] == usual["areas"]
    page = planner_client.get(url).content.decode()
    assert "1.3" in page  # the page says which model measured the walks


def test_coverage_list_lists_services_with_a_standard(planner_client, world):
    response = planner_client.get(reverse("scenarios:coverage_list"))
    codes = [t.code for t, _m in response.context["items"]]
    assert "canteen" in codes
    assert set(codes) == set(ServiceType.objects.with_standard().values_list("code", flat=True))


def test_gaps_matrix_cells_and_unconfirmed_badge(english, planner, world):
    english.force_login(planner)
    response = english.get(reverse("scenarios:gaps"), {"group": "elderly", "level": "5min"})
    matrix = response.context["matrix"]
    codes = [t.code for t in matrix["service_types"]]
    assert "canteen" in codes
    assert all(t.target_group == "elderly" and t.level == "5min" for t in matrix["service_types"])
    i = codes.index("canteen")
    cells = {r.area.code: r.cells[i] for r in matrix["rows"]}
    assert cells["t-a"].covered and cells["t-a"].nearest_m == pytest.approx(0, abs=0.01)
    assert not cells["t-c"].covered
    assert cells["t-c"].nearest_m == pytest.approx(731 * 1.3, rel=0.01)
    assert 'class="badge unconfirmed"' in response.content.decode()


def test_gaps_sorting(planner_client, world):
    url = reverse("scenarios:gaps")
    rows = planner_client.get(url, {"sort": "-canteen"}).context["matrix"]["rows"]
    codes = [r.area.code for r in rows if r.area.code.startswith("t-")]
    assert codes[0] == "t-c"
    rows = planner_client.get(url, {"sort": "gaps"}).context["matrix"]["rows"]
    gaps = [r.gaps for r in rows]
    assert gaps == sorted(gaps)


def test_gaps_export_csv_and_xlsx(english, planner, world):
    english.force_login(planner)
    url = reverse("scenarios:gaps")
    response = english.get(url, {"format": "csv", "group": "elderly"})
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = table[0]
    column = header.index("Canteen ≤ 300 m (unconfirmed)")
    by_area = {line[1]: line for line in table[1:]}
    assert by_area["t-a"][column] == "yes"
    assert by_area["t-c"][column] == "no"
    assert header[column + 1] == "Canteen: residents within reach (%)"
    assert float(by_area["t-a"][column + 1]) == 100
    assert float(by_area["t-c"][column + 1]) == 0
    assert float(by_area["t-c"][column + 2]) == pytest.approx(731 * 1.3, rel=0.01)

    response = english.get(url, {"format": "xlsx", "group": "elderly"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == header
    assert len(rows) == len(table)


def test_area_without_population_is_counted_and_flagged(world):
    d = make_area(name="D", code="t-d", population_elderly=None, population_total=None)
    inputs = today_inputs(params=Parameters(), service_types=[world["canteen"]])
    metrics = evaluate_service(inputs, world["canteen"])
    assert metrics["fallback_areas"] == 1
    row = next(a for a in metrics["areas"] if a["area_id"] == d.pk)
    assert row["uses_population"] is False
    assert row["demand"] == 0  # nobody in D answered: the count n(a,s) is 0


def test_subtraction_figures_per_site(planner_client, world):
    """Each canteen alone covers its own area: closing it loses that demand, nobody picks up."""
    m = planner_client.get(reverse("scenarios:coverage_detail", args=["canteen"])).context[
        "metrics"
    ]
    d = expected_demand()
    sites = {s["name"]: s for s in m["sites"]}
    assert sites["S1"]["loss_if_closed"] == pytest.approx(d["A"], abs=0.01)
    assert sites["H"]["loss_if_closed"] == pytest.approx(d["B"], abs=0.01)
    assert sites["S1"]["picked_up_if_closed"] == 0
    # A second canteen next to S1 picks all of A up, so neither of the two is indispensable.
    make_site_service(
        make_site(name="S2", latitude=world["s1"].latitude, longitude="121.450500"),
        world["canteen"],
    )
    m = planner_client.get(reverse("scenarios:coverage_detail", args=["canteen"])).context[
        "metrics"
    ]
    sites = {s["name"]: s for s in m["sites"]}
    assert sites["S1"]["loss_if_closed"] + sites["S2"]["loss_if_closed"] == 0
    assert sites["S1"]["picked_up_if_closed"] + sites["S2"]["picked_up_if_closed"] == (
        pytest.approx(d["A"], abs=0.01)
    )


def test_gaps_exports_survive_control_characters_and_escape_formulas(english, planner, world):
    """An area name with U+0001 once made the XLSX answer 500; names that look like formulas
    were written raw into the CSV's rows and header."""
    english.force_login(planner)
    world["areas"]["A"].name = "=1+1\x01"
    world["areas"]["A"].save()
    world["areas"]["B"].name = "Area\x01 B"
    world["areas"]["B"].save()
    world["canteen"].name_en = world["canteen"].name_zh = "@canteen"
    world["canteen"].save()
    url = reverse("scenarios:gaps")

    response = english.get(url, {"format": "xlsx", "group": "elderly"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    names = {row[1]: row[0] for row in rows[1:]}
    assert (names["t-a"], names["t-b"]) == ("'=1+1", "Area B")
    assert "'@canteen ≤ 300 m (unconfirmed)" in rows[0]
    by_area = {row[1]: row for row in rows[1:]}
    nearest = rows[0].index("'@canteen: nearest (m)")
    assert isinstance(by_area["t-c"][nearest], int)  # numbers stay numbers

    response = english.get(url, {"format": "csv", "group": "elderly"})
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "'@canteen ≤ 300 m (unconfirmed)" in table[0]
    names = {line[1]: line[0] for line in table[1:]}
    assert (names["t-a"], names["t-b"]) == ("'=1+1", "Area B")


def test_gaps_exports_escape_a_hyperlink_formula_in_area_and_service_names(english, planner, world):
    """A name someone typed as a spreadsheet formula comes out as text in both formats."""
    english.force_login(planner)
    link = '=HYPERLINK("http://example.com/x","open")'
    world["areas"]["C"].name = link
    world["areas"]["C"].save()
    world["canteen"].name_en = world["canteen"].name_zh = "+" + link[1:]
    world["canteen"].save()
    url = reverse("scenarios:gaps")

    response = english.get(url, {"format": "csv", "group": "elderly"})
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {line[1]: line[0] for line in table[1:]}["t-c"] == "'" + link
    assert "'+" + link[1:] + " ≤ 300 m (unconfirmed)" in table[0]

    response = english.get(url, {"format": "xlsx", "group": "elderly"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert {row[1]: row[0] for row in rows[1:]}["t-c"] == "'" + link
    assert "'+" + link[1:] + " ≤ 300 m (unconfirmed)" in rows[0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_gap_matrix_is_a_heat_map_with_headers_that_stay(planner_client, world):
    page = planner_client.get(reverse("scenarios:gaps"))
    rows = page.context["matrix"]["rows"]
    column = [t.code for t in page.context["matrix"]["service_types"]].index("canteen")
    heats = {row.area.code: row.cells[column].heat for row in rows}
    assert heats["t-a"] == "4" and heats["t-c"] == "0"
    html = page.content.decode()
    assert 'class="table-wrap sticky-table"' in html
    assert 'class="heat-0"' in html and 'class="heat-4"' in html
