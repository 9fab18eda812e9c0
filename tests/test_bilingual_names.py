"""Areas, sites and scenarios have a Chinese and an English name: English pages show the
English one where it exists, Chinese pages the Chinese one; the maps' data follow the page."""

import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.builders import make_area, make_scenario, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def named():
    area = make_area(name="枫林居委会", name_en="Fenglin Committee")
    site = make_site(name="天龙生活盒子", name_en="Tianlong Life Box", area=area)
    plain = make_site(name="零陵路404号", area=area)  # no English name
    scenario = make_scenario(name="加一个食堂", name_en="One more canteen")
    return {"area": area, "site": site, "plain": plain, "scenario": scenario}


def page(client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(url).content.decode()


def map_names(html: str, script_id: str) -> list[str]:
    found = re.search(rf'<script id="{script_id}" type="application/json">(.*?)</script>', html)
    return [point["name"] for point in json.loads(found.group(1))]


@pytest.mark.parametrize(
    "url_for",
    [
        lambda n: reverse("sites:site_list"),
        lambda n: n["site"].get_absolute_url(),
        lambda n: reverse("sites:area_list"),
        lambda n: n["area"].get_absolute_url(),
    ],
    ids=["site list", "site page", "area list", "area page"],
)
def test_english_pages_show_english_names_and_chinese_pages_chinese(planner_client, named, url_for):
    url = url_for(named)
    english = page(planner_client, url, "en")
    chinese = page(planner_client, url, "zh-hans")
    for record in (named["site"], named["area"]):
        if record.name in chinese:  # the page shows this record at all
            assert record.name_en in english
            assert record.name not in english
            assert record.name_en not in chinese


def test_a_name_without_english_stays_chinese_on_english_pages(planner_client, named):
    english = page(planner_client, reverse("sites:site_list"), "en")
    assert named["plain"].name in english


def test_the_site_map_data_follow_the_page_language(planner_client, named):
    english = map_names(page(planner_client, reverse("sites:site_list"), "en"), "site-map-data")
    chinese = map_names(
        page(planner_client, reverse("sites:site_list"), "zh-hans"), "site-map-data"
    )
    assert "Tianlong Life Box" in english and "零陵路404号" in english
    assert "天龙生活盒子" in chinese and "Tianlong Life Box" not in chinese


def test_the_scenario_list_and_page_show_the_name_in_the_page_language(planner_client, named):
    scenario = named["scenario"]
    for url in (reverse("scenarios:index"), scenario.get_absolute_url()):
        assert scenario.name_en in page(planner_client, url, "en")
        assert scenario.name not in page(planner_client, url, "en")
        assert scenario.name in page(planner_client, url, "zh-hans")


def test_searching_finds_a_site_by_its_english_name(planner_client, named):
    response = planner_client.get(reverse("sites:site_list") + "?q=tianlong")
    assert [site.pk for site in response.context["sites"]] == [named["site"].pk]


def test_the_site_form_edits_both_names(admin_client, named):
    html = page(admin_client, reverse("sites:site_edit", args=[named["site"].pk]), "en")
    assert 'name="name"' in html and 'name="name_en"' in html
    html = page(
        admin_client, reverse("scenarios:scenario_update", args=[named["scenario"].pk]), "en"
    )
    assert 'name="name_en"' in html


def test_the_demo_keeps_chinese_and_english_names_apart(small_demo):
    from scenarios.models import Scenario
    from sites.models import Area, Site

    for model in (Area, Site, Scenario):
        rows = list(model.objects.values_list("name", "name_en"))
        assert rows
        assert [name for name, _en in rows if re.search("[A-Za-z]", name)] == []
        assert [name for name, en in rows if not en] == []
