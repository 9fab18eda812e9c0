"""Residents' inputs that cannot go wrong (issue #19): whole numbers where a question counts
things, limits in plain words, an out-of-area pin refused plainly, a required map question not
called optional, and an error summary that links each question and changes the page title."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from surveys.models import QuestionKind, Response
from tests.builders import make_full_survey, make_question, make_survey, valid_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(areas):
    survey, qs = make_full_survey()
    return survey, qs, areas


def url(survey):
    return reverse("public_surveys:survey_form", args=[survey.slug])


def test_counting_question_refuses_a_fraction_in_plain_words(english, setup):
    survey, qs, areas = setup
    page = english.post(url(survey), valid_post(qs, areas[0], **{qs["number"].field_name: "2.5"}))
    assert page.status_code == 200
    assert "Enter a whole number, such as 3." in page.content.decode()
    assert not Response.objects.exists()


def test_counting_question_is_an_integer_input_without_decimals(english, areas):
    survey = make_survey()
    q = make_question(
        survey, QuestionKind.NUMBER, min_value=Decimal("1.00"), max_value=Decimal("12.00")
    )
    html = english.get(url(survey)).content.decode()
    tag = re.search(rf'<input[^>]*name="{q.field_name}"[^>]*>', html).group(0)
    assert 'step="1"' in tag and 'min="1"' in tag and 'max="12"' in tag
    assert "1.00" not in html and "12.00" not in html
    assert "From 1 to 12." in html


def test_limits_are_stated_in_plain_words(english, setup):
    survey, qs, areas = setup
    page = english.post(url(survey), valid_post(qs, areas[0], **{qs["number"].field_name: "11"}))
    assert "Enter 10 or less." in page.content.decode()


def test_question_not_limited_to_whole_numbers_takes_decimals(english, areas):
    survey = make_survey()
    q = make_question(survey, QuestionKind.NUMBER, integer_only=False, required=True)
    page = english.post(url(survey), {"idempotency_key": "", q.field_name: "2.5"})
    assert page.status_code == 200  # the missing key is the only problem
    assert q.field_name + "_error" not in page.content.decode()


def test_pin_outside_the_street_gets_a_plain_message(english, setup, settings):
    survey, qs, areas = setup
    name = qs["point"].field_name
    too_far = settings.SITE_REGION["max_lat"] + 1
    data = valid_post(qs, areas[0], **{f"{name}_lat": str(too_far), f"{name}_lng": "121.45"})
    html = english.post(url(survey), data).content.decode()
    assert "This point is outside Fenglin street." in html
    assert "Ensure this value" not in html
    assert not Response.objects.exists()


def test_required_map_question_is_not_called_optional(english, areas):
    survey = make_survey()
    make_question(survey, QuestionKind.AREA)
    make_question(survey, QuestionKind.POINT, required=True)
    html = english.get(url(survey)).content.decode()
    assert "Optional" not in html


def test_coordinates_are_the_fallback_behind_the_map(english, setup):
    survey, qs, _areas = setup
    html = english.get(url(survey)).content.decode()
    details = html[html.index('<details class="coordinates"') :]
    assert 'id="point-picker"' in html
    assert f'name="{qs["point"].field_name}_lat"' in details[: details.index("</details>")]
    assert html.index('id="point-picker"') < html.index('<details class="coordinates"')


def test_error_summary_links_each_question_and_title_says_error(english, setup):
    survey, qs, areas = setup
    data = valid_post(
        qs, areas[0], **{qs["single"].field_name: None, qs["number"].field_name: "2.5"}
    )
    html = english.post(url(survey), data).content.decode()
    start = html.index('id="form-errors"')
    summary = html[start : html.index("</ul>", start)]
    for key in ("single", "number"):
        assert f'href="#question-{qs[key].pk}"' in summary
        assert f'id="question-{qs[key].pk}"' in html
    assert f'href="#question-{qs["rating"].pk}"' not in summary
    assert re.search(r"<title>\s*Error: ", html)


def test_title_says_error_in_chinese_by_default(client, setup):
    survey, qs, areas = setup
    html = client.post(url(survey), valid_post(qs, areas[0], **{qs["single"].field_name: None}))
    assert re.search(r"<title>\s*错误", html.content.decode())


def test_multiple_choice_limit_reaches_the_browser(english, setup):
    survey, qs, _areas = setup
    html = english.get(url(survey)).content.decode()
    assert html.count('data-max-choices="2"') == len(qs["multiple"].choices.all())


def test_map_question_offers_estates_and_sites_to_search(english, setup):
    from tests.builders import make_residential_point, make_site

    survey, _qs, _areas = setup
    make_residential_point(name="枫林小区", name_en="Fenglin Estate", latitude=Decimal("31.1931"))
    make_site(name="零陵路231号")
    html = english.get(url(survey)).content.decode()
    places = re.search(r'id="map-places"[^>]*>(.*?)</script>', html, re.S).group(1)
    assert '"Fenglin Estate", 31.1931' in places
    assert "零陵路231号" in places or "\\u96f6" in places
    assert "data-place-search" in html


def test_pin_outside_the_street_outline_is_refused_inside_is_kept(english, setup):
    from tests.sites.boundary_builders import make_street, point

    survey, qs, areas = setup
    make_street()  # 1 km square
    name = qs["point"].field_name
    for (x, y), stored in (((2000, 500), False), ((500, 500), True)):
        lat, lng = point(x, y)
        data = valid_post(qs, areas[0], **{f"{name}_lat": str(lat), f"{name}_lng": str(lng)})
        page = english.post(url(survey), data)
        assert ("This point is outside Fenglin street." in page.content.decode()) is not stored
        assert Response.objects.filter(latitude=lat).exists() is stored
