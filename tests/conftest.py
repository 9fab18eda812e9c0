"""Fixtures shared by the whole suite: fast passwords, plain static files, a user and a logged-in
client per role, pages in English and a small demo. Test data comes from tests/builders.py."""

import io

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import translation

from fenglin import roles
from tests.builders import make_user

# make_user is imported here for modules that still take it from tests.conftest.
__all__ = ["make_user"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request made by an earlier test leaves its
    language active in the thread (LocaleMiddleware activates it and never resets it)."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Test users need no strong hashing: PBKDF2 costs about 0.3 s for every user created.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests render templates without running collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def planner(db):
    return make_user("planner", roles.PLANNERS)


@pytest.fixture
def inspector(db):
    return make_user("inspector", roles.INSPECTORS)


@pytest.fixture
def viewer(db):
    return make_user("viewer", roles.VIEWERS)


@pytest.fixture
def admin_user(db):
    return make_user("admin", superuser=True)


@pytest.fixture
def planner_client(client, planner):
    client.force_login(planner)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def committee_client(client, committee_user):
    """Logged in as a committee member; each package says which area via `committee_user`."""
    client.force_login(committee_user)
    return client


@pytest.fixture
def admin_client(client, admin_user):
    """The test's own client, logged in as a superuser (pytest-django's would be a second one)."""
    client.force_login(admin_user)
    return client


@pytest.fixture
def english(client):
    """Pages in English, so tests can read their text (the browser tests have their own)."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def small_demo(db, settings, tmp_path):
    """The demo data set as `load_demo` makes it, with few responses; its photos go to a
    temporary media folder. The browser tests' `demo` is the same on a live server."""
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", responses=10, seed=2, stdout=io.StringIO())
