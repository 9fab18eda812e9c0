import pytest
from django.conf import settings as django_settings

from fenglin import roles
from tests import factories
from tests.conftest import make_user


@pytest.fixture
def english(client):
    """Pages in English, so tests can read their text."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def two_areas(db):
    return factories.area(code="north", name="North"), factories.area(code="south", name="South")


@pytest.fixture
def committee_client(client, two_areas):
    user = make_user("committee-north", roles.COMMITTEE, area=two_areas[0])
    client.force_login(user)
    return client
