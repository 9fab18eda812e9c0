"""Ids from users: one parser, which answers None for whatever is not an id a database holds."""

import pytest
from django import forms

from fenglin.parsing import MAX_ID, ModelMultipleIdChoiceField, parse_id
from sites.models import Area
from tests.builders import make_area


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        (str(MAX_ID), MAX_ID),
        (7, 7),
        ("²", None),  # "²".isdigit() is true; int("²") raises
        ("٣", None),  # an Arabic-Indic digit: int() would take it, an id does not
        ("３", None),
        ("9" * 5000, None),  # int() raises ValueError past 4,300 digits
        (str(MAX_ID + 1), None),  # SQLite raises OverflowError for it
        ("0", None),
        ("-1", None),
        ("+1", None),
        ("1.0", None),
        ("1e3", None),
        ("", None),
        ("\x00", None),
        (None, None),
        (True, None),
        (0, None),
        (MAX_ID + 1, None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected


class AreasForm(forms.Form):
    areas = ModelMultipleIdChoiceField(queryset=Area.objects.all())


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["²", str(MAX_ID + 1), "9" * 5000, "-1", "1e3"])
def test_a_multiple_choice_of_no_id_is_a_form_error_before_any_query(
    bad, django_assert_num_queries
):
    area = make_area()
    form = AreasForm(data={"areas": [str(area.pk), bad]})
    with django_assert_num_queries(0):
        assert not form.is_valid()
    (error,) = form.errors.as_data()["areas"]
    assert error.code == "invalid_pk_value"
    assert len(error.messages[0]) < 80  # a 5,000-digit value is not repeated whole


@pytest.mark.django_db
def test_a_multiple_choice_of_ids_chooses_the_objects():
    first, second = make_area(), make_area()
    form = AreasForm(data={"areas": [str(first.pk), str(second.pk)]})
    assert form.is_valid()
    assert set(form.cleaned_data["areas"]) == {first, second}
