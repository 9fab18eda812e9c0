"""A small street for the planning tests: three areas in a row, a canteen standard of 300 m.

    A (31.1900, 121.4500) — operating canteen S1 right at its centre
    B (31.1950, 121.4550) — operating canteen H with a fire hazard at its centre
    C (31.2000, 121.4600) — nothing; a candidate premises K at its centre

Centres are about 730 m apart, so with the default detour 1.3 (300 m walk = 231 m straight) each
site covers its own area only.
"""

from decimal import Decimal

import pytest

from fenglin import roles
from sites.models import SiteStatus
from tests.builders import (
    make_area,
    make_need_question,
    make_response,
    make_service_type,
    make_site,
    make_site_service,
    make_survey,
    make_user,
)

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = IMMEDIATE


@pytest.fixture
def world(db):
    canteen = make_service_type(
        "canteen", target_group="elderly", threshold_m=300, level="5min", confirmed=False
    )
    areas = {
        name: make_area(
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
    s1 = make_site(name="S1", latitude=areas["A"].centroid_lat, longitude=areas["A"].centroid_lng)
    h = make_site(
        name="H",
        latitude=areas["B"].centroid_lat,
        longitude=areas["B"].centroid_lng,
        hazard_fire=True,
    )
    k = make_site(
        name="K",
        latitude=areas["C"].centroid_lat,
        longitude=areas["C"].centroid_lng,
        status=SiteStatus.CANDIDATE,
    )
    make_site_service(s1, canteen, daily_capacity=100)
    make_site_service(h, canteen, daily_capacity=100)
    # No English title: English pages show the survey under its one (Chinese) title.
    survey = make_survey(title_en="")
    choices = make_need_question(survey, [canteen])
    for name, asked, total in [("A", 2, 4), ("B", 1, 3), ("C", 3, 3)]:
        for i in range(total):
            make_response(survey, areas[name], [choices["canteen"]] if i < asked else [])
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
def outsider_client(client, db):
    """Logged in, but in a role without any scenarios permission."""
    client.force_login(make_user("outsider", roles.INSPECTORS))
    return client
