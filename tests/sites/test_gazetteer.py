"""The gazetteer finds the app's own places by Chinese, English, pinyin, initials or address."""

from decimal import Decimal

import pytest

from sites import gazetteer
from sites.models import SiteStatus
from tests.builders import make_area, make_residential_point, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def lingling(db):
    return make_residential_point(code="home-ll", name="零陵小区", name_en="Lingling Xiaoqu")


def names(query: str, **kwargs) -> list[str]:
    return [place.name for place in gazetteer.search(query, **kwargs)]


@pytest.mark.parametrize(
    "query", ["零陵", "零陵小区", "lingling", "LingLing Xiaoqu", "llxq", "xiaoqu"]
)
def test_an_estate_is_found_by_chinese_english_pinyin_and_initials(lingling, query):
    assert "零陵小区" in names(query)


def test_a_query_that_matches_nothing_finds_nothing(lingling):
    assert names("zzzz") == []
    assert names("  ") == []


def test_a_site_is_found_by_its_address_and_a_closed_one_not_at_all(db):
    make_site(name="社区食堂", address="东安路12号")
    make_site(name="旧食堂", address="东安路30号", status=SiteStatus.CLOSED, closed_reason="Fire")
    assert names("dongan") == ["社区食堂"]
    assert names("东安路") == ["社区食堂"]


def test_exact_matches_come_before_prefixes_and_prefixes_before_substrings(db):
    make_residential_point(code="a", name="大零陵", name_en="")  # substring
    make_residential_point(code="b", name="零陵新村", name_en="")  # prefix
    make_area(name="零陵")  # exact
    assert names("lingling") == ["零陵", "零陵新村", "大零陵"]


def test_the_limit_caps_the_matches(db):
    for n in range(5):
        make_residential_point(code=f"h{n}", name=f"枫林{n}村")
    assert len(names("fenglin", limit=3)) == 3


def test_an_area_is_placed_at_its_centre_and_named_by_a_stable_key(db):
    area = make_area(name="枫林", centroid_lat=Decimal("31.19"), centroid_lng=Decimal("121.45"))
    (place,) = gazetteer.search("枫林")
    assert (place.lat, place.lng, place.key) == (31.19, 121.45, f"area-{area.pk}")
    assert gazetteer.find(place.key) == place
    assert gazetteer.find("area-0") is None


def test_a_renamed_place_is_found_by_its_new_name_at_once(lingling):
    assert names("llxq")
    lingling.name = "明园小区"
    lingling.save()
    assert names("llxq") == []
    assert names("myxq") == ["明园小区"]


def test_the_english_label_falls_back_to_the_chinese_name(db):
    make_residential_point(code="x", name="西木小区", name_en="")
    (place,) = gazetteer.search("ximu")
    assert place.label(english=True) == "西木小区"
