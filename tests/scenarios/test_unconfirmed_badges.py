"""A threshold not confirmed in an official text is marked wherever a plan rests on it: the
scenario, the comparison, the optimiser and the run pages."""

import pytest
from django.urls import reverse

from scenarios.models import OptimisationRun
from tests.builders import make_scenario

pytestmark = pytest.mark.django_db

BADGE = 'class="badge unconfirmed"'


def test_scenario_and_compare_pages_mark_the_unconfirmed_threshold(english, planner, world):
    assert not world["canteen"].confirmed
    english.force_login(planner)
    base, other = make_scenario(name="Base"), make_scenario(name="Other")
    assert BADGE in english.get(base.get_absolute_url()).content.decode()
    compare = english.get(reverse("scenarios:compare"), {"scenarios": [base.pk, other.pk]})
    assert BADGE in compare.content.decode()


def test_optimiser_and_run_pages_mark_it(english, planner, world):
    english.force_login(planner)
    scenario = make_scenario(name="Base")
    url = reverse("scenarios:scenario_optimise", args=[scenario.pk])
    assert "≤ 300 m, unconfirmed" in english.get(url, {"service": "canteen"}).content.decode()
    english.post(
        url,
        {
            "service": "canteen",
            "model": "mclp",
            "new_sites": "1",
            "method": "auto",
            "time_limit_s": "10",
            "locked": [world["s1"].pk, world["h"].pk],
        },
    )
    run = OptimisationRun.objects.get()
    assert BADGE in english.get(run.get_absolute_url()).content.decode()


def test_a_confirmed_threshold_carries_no_badge(english, planner, world):
    world["canteen"].confirmed = True
    world["canteen"].save()
    english.force_login(planner)
    page = english.get(make_scenario(name="Base").get_absolute_url()).content.decode()
    assert BADGE not in page.split("<main", 1)[1].split("Canteen", 1)[1].split("</tr>", 1)[0]
