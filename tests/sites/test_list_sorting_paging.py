"""The site list sorts by a column and pages 25 at a time, keeping the filters in every link."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from sites.models import SiteStatus
from tests.builders import make_area, make_site

pytestmark = pytest.mark.django_db
URL = reverse("sites:site_list")


def names(response) -> list[str]:
    return [site.name for site in response.context["sites"]]


def links(response, rel: str) -> str:
    found = re.search(rf'href="([^"]*)" rel="{rel}"', response.content.decode())
    return unescape(found.group(1)) if found else ""


def test_sixty_three_sites_make_three_pages_of_at_most_25(planner_client):
    for i in range(63):
        make_site(name=f"站点 {i:02}")
    first = planner_client.get(URL)
    assert first.context["paginator"].num_pages == 3
    assert len(first.context["sites"]) == 25
    last = planner_client.get(URL + "?page=3")
    assert len(last.context["sites"]) == 13
    seen = names(first) + names(planner_client.get(URL + "?page=2")) + names(last)
    assert len(set(seen)) == 63


def test_sorting_by_floor_area_descending_puts_empty_values_last(planner_client):
    make_site(name="small", floor_area_m2=Decimal("80"))
    make_site(name="none", floor_area_m2=None)
    make_site(name="big", floor_area_m2=Decimal("1376"))
    assert names(planner_client.get(URL + "?sort=-floor_area")) == ["big", "small", "none"]
    assert names(planner_client.get(URL + "?sort=floor_area")) == ["small", "big", "none"]


def test_sorting_by_status_follows_the_lifecycle(planner_client):
    make_site(name="a", status=SiteStatus.OPERATING)
    make_site(name="b", status=SiteStatus.CANDIDATE)
    make_site(name="c", status=SiteStatus.BUILDING)
    assert names(planner_client.get(URL + "?sort=status")) == ["b", "c", "a"]


def test_sorting_by_area_groups_the_sites_of_an_area(planner_client):
    east, west = make_area(code="a-east"), make_area(code="b-west")
    make_site(name="1", area=west)
    make_site(name="2", area=east)
    make_site(name="3", area=west)
    assert names(planner_client.get(URL + "?sort=area")) == ["2", "1", "3"]


def test_the_sorted_header_says_so_and_a_click_reverses_it(planner_client):
    make_site()
    html = planner_client.get(URL + "?sort=name&status=operating").content.decode()
    header = re.search(r'<th scope="col" aria-sort="ascending"><a href="([^"]*)"', html)
    assert header
    assert "sort=-name" in unescape(header.group(1))
    assert "status=operating" in unescape(header.group(1))
    assert html.count("aria-sort=") == 1


def test_paging_keeps_the_filters_and_the_sort(planner_client):
    area = make_area()
    for i in range(30):
        make_site(name=f"operating {i:02}", area=area, status=SiteStatus.OPERATING)
    for i in range(30):
        make_site(name=f"candidate {i:02}", area=area, status=SiteStatus.CANDIDATE)
    query = f"?status=operating&area={area.pk}&sort=-name"
    first = planner_client.get(URL + query)
    next_link = links(first, "next")
    for part in ("status=operating", f"area={area.pk}", "sort=-name", "page=2"):
        assert part in next_link
    second = planner_client.get(URL + next_link)
    assert names(second) == [f"operating {i:02}" for i in range(4, -1, -1)]
    assert "page=" not in re.search(
        r'aria-sort="descending"><a href="([^"]*)"', second.content.decode()
    ).group(1)


def test_an_unknown_sort_falls_back_to_the_name(planner_client):
    make_site(name="b")
    make_site(name="a")
    response = planner_client.get(URL + "?sort=password")
    assert response.status_code == 200
    assert names(response) == ["a", "b"]


def test_the_query_count_does_not_grow_with_the_number_of_sites(
    planner_client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(5):
        make_site(name=f"s{i}", area=make_area())
    query = "?sort=-area&status=operating&page=1"
    with CaptureQueriesContext(connection) as few:
        planner_client.get(URL + query)
    for i in range(60):
        make_site(name=f"t{i}", area=make_area())
    with django_assert_max_num_queries(len(few)):
        response = planner_client.get(URL + query.replace("page=1", "page=2"))
    assert len(response.context["sites"]) == 25


def test_the_area_list_sorts_by_population_and_totals_every_area(planner_client):
    make_area(name="small", population_total=1000, population_elderly=100)
    make_area(name="big", population_total=9000, population_elderly=100)
    make_area(name="unknown", population_total=None, population_elderly=None)
    response = planner_client.get(reverse("sites:area_list") + "?sort=-population")
    assert [area.name for area in response.context["areas"]] == ["big", "small", "unknown"]
    assert response.context["totals"]["population"] == 10000
    assert 'aria-sort="descending"' in response.content.decode()
