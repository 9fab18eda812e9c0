import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from fenglin import roles


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


def make_user(username: str, role: str | None = None, *, superuser: bool = False, area=None):
    """A user in one role group (groups are synced from fenglin.roles first)."""
    roles.sync_role_groups()
    user = get_user_model().objects.create_user(
        username=username,
        password="a-long-test-password-1",
        is_staff=superuser,
        is_superuser=superuser,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    if area is not None:
        from sites.models import StaffProfile

        StaffProfile.objects.create(user=user, area=area)
    return user


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
