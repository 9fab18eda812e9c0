import pytest
from django.conf import settings
from django.core.cache import cache

from fenglin import roles
from tests import factories
from tests.conftest import make_user


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters and cached results live in the cache: each test starts empty.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def areas(db):
    return [
        factories.area(name="East", code="east", population_total=4000),
        factories.area(
            name="West",
            code="west",
            population_total=2000,
            boundary={
                "type": "Polygon",
                "coordinates": [
                    [
                        [121.440, 31.180],
                        [121.450, 31.180],
                        [121.450, 31.190],
                        [121.440, 31.190],
                        [121.440, 31.180],
                    ]
                ],
            },
            centroid_lat="31.185000",
            centroid_lng="121.445000",
        ),
    ]


@pytest.fixture
def committee_user(areas):
    return make_user("committee-east", roles.COMMITTEE, area=areas[0])


@pytest.fixture
def committee_client(client, committee_user):
    client.force_login(committee_user)
    return client
