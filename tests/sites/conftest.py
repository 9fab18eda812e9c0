import pytest

from fenglin import roles
from tests.builders import make_area, make_user


@pytest.fixture
def two_areas(db):
    return make_area(code="north", name="North"), make_area(code="south", name="South")


@pytest.fixture
def committee_user(two_areas):
    return make_user("committee-north", roles.COMMITTEE, area=two_areas[0])
