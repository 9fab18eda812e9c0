"""Every staff page and export whose figures rest on demo data says it is illustrative; real
data get no such label."""

import csv
import io

import pytest
from django.urls import reverse

from sites.illustrative import illustrative_kinds
from tests.builders import make_area, make_site

BANNER = "Illustrative data"

STAFF_PAGES = [
    ("scenarios:index", []),
    ("scenarios:gaps", []),
    ("scenarios:coverage_list", []),
    ("scenarios:demand_list", []),
    ("sites:site_list", []),
    ("sites:monthly_review", []),
    ("sites:subtraction_review", []),
    ("surveys:survey_list", []),
]


@pytest.mark.parametrize(("name", "args"), STAFF_PAGES)
def test_staff_pages_on_demo_data_say_illustrative(english, planner, small_demo, name, args):
    english.force_login(planner)
    page = english.get(reverse(name, args=args)).content.decode()
    assert BANNER in page
    assert "walking network" in page  # the demo network is among the illustrative data


def test_the_gap_export_marks_every_row_illustrative(english, planner, small_demo):
    english.force_login(planner)
    response = english.get(reverse("scenarios:gaps"), {"format": "csv"})
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[-1] == "Illustrative data"
    assert rows and all(row[-1].startswith("Illustrative: built on demo data") for row in rows)


@pytest.mark.django_db
def test_real_data_carry_no_label(english, planner):
    make_site(area=make_area(illustrative=False), illustrative=False)
    assert illustrative_kinds() == []
    english.force_login(planner)
    assert BANNER not in english.get(reverse("scenarios:gaps")).content.decode()
    response = english.get(reverse("scenarios:gaps"), {"format": "csv"})
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "Illustrative data" not in header


@pytest.mark.django_db
def test_one_query_says_which_data_are_illustrative(django_assert_num_queries):
    make_site(area=make_area(illustrative=True), illustrative=False)
    with django_assert_num_queries(1):
        assert illustrative_kinds() == ["areas"]
