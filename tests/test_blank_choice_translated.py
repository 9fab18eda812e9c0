"""Django 6.1's blank choice on every select is Chinese on Chinese pages."""

import pytest
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.utils import translation


def test_the_blank_choice_is_translated():
    with translation.override("zh-hans"):
        assert str(BLANK_CHOICE_LABEL) == "- 请选择 -"
    with translation.override("en"):
        assert str(BLANK_CHOICE_LABEL) == "- Select an option -"


@pytest.mark.django_db
def test_a_staff_select_shows_it_in_chinese(client, planner):
    client.force_login(planner)
    page = client.get("/sites/new/").content.decode()
    assert "Select an option" not in page
