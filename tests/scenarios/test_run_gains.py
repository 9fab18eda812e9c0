"""A finished run says first what it changes for residents (per group, against the starting
scenario), and only then the solver's words, translated."""

import re

import pytest
from django.urls import reverse

from scenarios.models import OptimisationRun
from tests.builders import make_scenario

pytestmark = pytest.mark.django_db


def optimise(client, scenario, world, **data):
    form = {
        "service": "canteen",
        "model": "mclp",
        "new_sites": "1",
        "method": "auto",
        "time_limit_s": "10",
        "locked": [world["s1"].pk, world["h"].pk],
    }
    form.update(data)
    client.post(reverse("scenarios:scenario_optimise", args=[scenario.pk]), form)
    return OptimisationRun.objects.latest("pk")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_run_page_leads_with_the_elderly_residents_it_reaches(english, planner, world):
    """A and B (1,000 elderly each) have a canteen on their centre; choosing K reaches C's 1,000
    elderly too: 2,000 of 3,000 before (67%), 3,000 after (100%)."""
    english.force_login(planner)
    run = optimise(english, make_scenario(name="Base"), world)
    gain = run.summary["residents"][0]
    assert gain["target"] == "elderly"
    assert gain["groups"]["elderly"] == {"before": 2000.0, "after": 3000.0, "total": 3000.0}
    assert gain["groups"]["all"] == {"before": 8000.0, "after": 12000.0, "total": 12000.0}

    page = text_of(english.get(run.get_absolute_url()).content.decode())
    headline = "Canteen: 1,000 more residents (Elderly (60+)) within 300 m, 67% → 100%."
    assert headline in page
    assert page.index(headline) < page.index("How the solver got there")


def test_solver_words_are_translated(client, planner, world):
    client.force_login(planner)
    run = optimise(client, make_scenario(name="Base"), world, method="exact")
    page = client.get(run.get_absolute_url()).content.decode()
    assert run.summary["solution"]["status"] == "optimal"
    assert "已证明最优" in page
    assert "· optimal ·" not in page
