"""A scenario an optimisation run saves gets a short name in each language, not the base
scenario's name with the model's long label and the service glued on."""

import pytest
from django.conf import settings
from django.urls import reverse

from scenarios.models import OptimisationRun, RunStatus

pytestmark = pytest.mark.django_db


def optimise(client, scenario, **data):
    form = {"service": "canteen", "model": "mclp", "new_sites": "1", "method": "auto"}
    form.update(time_limit_s="10", **data)
    client.post(reverse("scenarios:scenario_optimise", args=[scenario.pk]), form)
    run = OptimisationRun.objects.latest("pk")
    assert run.status == RunStatus.SUCCEEDED, run.error
    return run.result_scenario


@pytest.fixture
def base(world):
    from tests.builders import make_scenario

    return make_scenario(name="今天的枫林街道和它所有的站点与居委会片区（基线方案）")


def test_max_coverage_names_the_service_and_the_sites_added(planner_client, world, base):
    world["canteen"].name_zh, world["canteen"].name_en = "食堂", "canteen"
    world["canteen"].save()
    result = optimise(planner_client, base)
    assert result.name_en == "Max coverage · canteen +1"
    assert result.name.endswith(" · 食堂 +1")
    assert base.name not in result.name
    assert len(result.name) <= 20


def test_fewest_sites_names_the_target_share(planner_client, world, base):
    result = optimise(planner_client, base, model="lscp", target_share="0.9")
    assert result.name_en == f"Fewest sites · {world['canteen'].name_en} 90%"


def test_the_english_page_shows_the_english_name(planner_client, world, base):
    result = optimise(planner_client, base)
    chinese = planner_client.get(result.get_absolute_url()).content.decode()
    assert f"<h1>{result.name}</h1>" in chinese
    planner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = planner_client.get(result.get_absolute_url()).content.decode()
    assert f"<h1>{result.name_en}</h1>" in english
