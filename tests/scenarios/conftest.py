"""A small street for the planning tests: three areas in a row, a canteen standard of 300 m.

    A (31.1900, 121.4500) — operating canteen S1 right at its centre
    B (31.1950, 121.4550) — operating canteen H with a fire hazard at its centre
    C (31.2000, 121.4600) — nothing; a candidate premises K at its centre

Centres are about 730 m apart, so with the default detour 1.3 (300 m walk = 231 m straight) each
site covers its own area only.
"""

from decimal import Decimal

import pytest
from django.conf import settings

from fenglin import roles
from sites.models import SiteStatus
from tests import factories
from tests.conftest import make_user
from tests.scenarios import builders

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = IMMEDIATE


@pytest.fixture
def world(db):
    canteen = factories.service_type(
        "canteen", target_group="elderly", threshold_m=300, level="5min", confirmed=False
    )
    areas = {
        name: factories.area(
            name=f"Area {name}",
            code=f"t-{name.lower()}",
            centroid_lat=lat,
            centroid_lng=lng,
            population_total=4000,
            population_elderly=1000,
        )
        for name, lat, lng in [
            ("A", Decimal("31.190000"), Decimal("121.450000")),
            ("B", Decimal("31.195000"), Decimal("121.455000")),
            ("C", Decimal("31.200000"), Decimal("121.460000")),
        ]
    }
    s1 = factories.site(
        name="S1", latitude=areas["A"].centroid_lat, longitude=areas["A"].centroid_lng
    )
    h = factories.site(
        name="H",
        latitude=areas["B"].centroid_lat,
        longitude=areas["B"].centroid_lng,
        hazard_fire=True,
    )
    k = factories.site(
        name="K",
        latitude=areas["C"].centroid_lat,
        longitude=areas["C"].centroid_lng,
        status=SiteStatus.CANDIDATE,
    )
    factories.site_service(s1, canteen, daily_capacity=100)
    factories.site_service(h, canteen, daily_capacity=100)
    survey = builders.survey()
    choices = builders.need_question(survey, [canteen])
    for name, asked, total in [("A", 2, 4), ("B", 1, 3), ("C", 3, 3)]:
        for i in range(total):
            builders.respond(survey, areas[name], [choices["canteen"]] if i < asked else [])
    return {
        "canteen": canteen,
        "areas": areas,
        "s1": s1,
        "h": h,
        "k": k,
        "survey": survey,
        "choice": choices["canteen"],
    }


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def outsider_client(client, db):
    """Logged in, but in a role without any scenarios permission."""
    client.force_login(make_user("outsider", roles.INSPECTORS))
    return client
