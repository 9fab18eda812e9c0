"""Area boundaries typed or imported as JSON: hostile text gets a message saying what is wrong,
next to the field, and nothing is saved; never a server error."""

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from sites.forms import AreaForm
from sites.models import Area
from sites.validators import JSON_MAX_CHARS, parse_boundary, parse_json_text

RING = "[[121.45, 31.19], [121.46, 31.19], [121.46, 31.20], [121.45, 31.19]]"
POLYGON = f'{{"type": "Polygon", "coordinates": [{RING}]}}'

# (label, text, the error's code, words of its English message)
HOSTILE_BOUNDARIES = [
    ("nan", POLYGON.replace("[121.45, 31.19]]", "[NaN, 31.19]]"), "not_finite", "NaN"),
    ("infinity", POLYGON.replace("[121.46, 31.19]", "[Infinity, 31.19]"), "not_finite", "Infinity"),
    ("1e309", POLYGON.replace("[121.46, 31.19]", "[1e309, 31.19]"), "not_finite", "too large"),
    ("5000 digits", POLYGON.replace("31.20", "1" * 5000), "number_too_long", "too long"),
    (
        "5000 digits float",
        POLYGON.replace("31.20", "1." + "1" * 5000),
        "number_too_long",
        "too long",
    ),
    ("nul", POLYGON[:-1] + ', "name": "\\u0000"}', "unsafe_character", "control character"),
    ("surrogate", POLYGON[:-1] + ', "name": "\\ud800"}', "unsafe_character", "control character"),
    ("control key", POLYGON[:-1] + ', "\\u0007": 1}', "unsafe_character", "control character"),
    ("deep", "[" * 100_000 + "]" * 100_000, "too_deep", "nested"),
    ("deep object", '{"a": ' * 5000 + "1" + "}" * 5000, "too_deep", "nested"),
    ("deep coordinates", POLYGON.replace(RING, "[" * 40 + "]" * 40), "too_deep", "nested"),
    ("too long", " " * JSON_MAX_CHARS + POLYGON, "too_long", "characters long"),
    ("broken", '{"type": "Polygon", "coordinates": [[1, 2]', "invalid_json", "not valid JSON"),
]


@pytest.mark.parametrize(("label", "text", "code", "words"), HOSTILE_BOUNDARIES)
def test_hostile_json_is_refused_with_a_message_saying_why(label, text, code, words):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        parse_boundary(text)
    assert caught.value.code == code, label
    assert words in caught.value.messages[0]


def test_a_valid_boundary_is_parsed_and_a_blank_one_is_none():
    assert parse_boundary(POLYGON)["type"] == "Polygon"
    other = RING.replace("121.45", "121.47").replace("121.46", "121.48")
    multi = f'{{"type": "MultiPolygon", "coordinates": [[{RING}], [{other}]]}}'
    assert parse_boundary(multi)["type"] == "MultiPolygon"
    assert parse_boundary("  ") is None
    assert parse_json_text('{"a": [1, 2.5, "text\\twith a tab"]}') == {
        "a": [1, 2.5, "text\twith a tab"]
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "text", "code", "words"), HOSTILE_BOUNDARIES)
def test_the_area_form_shows_the_message_next_to_the_boundary_and_saves_nothing(
    planner_client, english, label, text, code, words
):
    data = {
        "name": "A",
        "code": "a",
        "centroid_lat": "31.195000",
        "centroid_lng": "121.455000",
        "boundary": text,
    }
    response = planner_client.post(reverse("sites:area_create"), data)
    assert response.status_code == 200, label
    assert words in " ".join(response.context["form"].errors["boundary"])
    assert not Area.objects.exists()
    if len(text) < 1000:
        # What was typed is shown again as typed, to be corrected.
        assert response.context["form"]["boundary"].value() == text


@pytest.mark.django_db
def test_the_admin_form_parses_boundaries_as_strictly():
    translation.activate("en")  # the messages are read in English
    data = {
        "name": "A",
        "code": "a",
        "centroid_lat": "31.195000",
        "centroid_lng": "121.455000",
        "boundary": HOSTILE_BOUNDARIES[3][1],
    }
    for form_class in (AreaForm, admin.site.get_model_admin(Area).form):
        form = form_class(data=data)
        assert not form.is_valid()
        assert "too long" in form.errors["boundary"][0]
