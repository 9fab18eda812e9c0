import pytest
from django.core.cache import cache

from fenglin import roles
from tests.builders import make_area, make_user


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters and cached results live in the cache: each test starts empty.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def areas(db):
    return [
        make_area(name="East", code="east", population_total=4000),
        make_area(
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
