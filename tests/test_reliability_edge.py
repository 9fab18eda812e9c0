"""Reliability at the edge (issue 15): the client's address behind a trusted proxy, login
throttling that cannot be turned against a user, /healthz/, pages that answer 503 with
Retry-After when the database is unreachable or busy, and no caching of signed-in pages."""

import copy
import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import OperationalError, connection, connections
from django.test import override_settings
from django.urls import reverse

from fenglin import views
from fenglin.client import client_address

BALANCER = "10.0.0.5"
DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


@contextmanager
def database_down():
    """The default database unreachable for real: a connection to a file that cannot be opened
    (SQLite) or to a port where nothing listens (PostgreSQL). The test's own connection and
    its data are left alone and come back afterwards."""
    original = connections["default"]
    broken = copy.deepcopy(original.settings_dict)
    if original.vendor == "sqlite":
        broken["NAME"] = "/nonexistent-fenglin-dir/db.sqlite3"
    else:
        broken.update(HOST="127.0.0.1", PORT="1")
    wrapper = original.__class__(broken, "default")
    connections["default"] = wrapper
    try:
        yield
    finally:
        wrapper.close()
        connections["default"] = original


# --- the client's address ----------------------------------------------------------------


def _request(rf, remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **extra)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(rf, settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(_request(rf, BALANCER, "198.51.100.7")) == BALANCER


def test_from_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.10"]
    assert client_address(_request(rf, BALANCER, "198.51.100.7")) == "198.51.100.7"
    # A client cannot choose its address by writing the header itself: the hops it wrote are
    # left of the one our proxies saw.
    spoofed = "1.2.3.4, 203.0.113.9, 198.51.100.7, 192.0.2.10"
    assert client_address(_request(rf, BALANCER, spoofed)) == "198.51.100.7"


def test_a_request_from_an_untrusted_address_keeps_that_address(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(_request(rf, "203.0.113.9", "198.51.100.7")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("", BALANCER),
        ("not-an-address", BALANCER),
        ("198.51.100.7:51234", "198.51.100.7"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("2001:db8::7", "2001:db8::7"),
        ("garbage, 10.1.2.3", "10.1.2.3"),
    ],
)
def test_odd_forwarded_values(rf, settings, forwarded, expected):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(_request(rf, BALANCER, forwarded)) == expected


def start_up_with(**variables: str) -> subprocess.CompletedProcess:
    """Read the settings in a fresh process with these environment variables."""
    return subprocess.run(
        [sys.executable, "-c", "import fenglin.settings"],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "DEBUG": "1", **variables},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_bad_trusted_proxies_value_stops_start_up_with_one_line():
    run = start_up_with(TRUSTED_PROXIES="10.0.0.0/8,not-a-network")
    assert run.returncode != 0
    assert "TRUSTED_PROXIES" in run.stderr
    assert "not-a-network" in run.stderr
    assert "Traceback" not in run.stderr


# --- login throttling behind the shared proxy -----------------------------------------------


@pytest.mark.django_db
def test_failed_logins_from_one_client_do_not_lock_the_user_out_elsewhere(
    client, planner, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.AXES_FAILURE_LIMIT = 3
    attacker = {"REMOTE_ADDR": BALANCER, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    for _ in range(3):
        client.post(reverse("login"), {"username": "planner", "password": "wrong"}, **attacker)
    right = {"username": "planner", "password": "a-long-test-password-1"}
    # The attacker's own address is locked for this user, even with the right password ...
    assert client.post(reverse("login"), right, **attacker).status_code == 429
    # ... but the planner, behind the same balancer from another address, still logs in.
    resident = {"REMOTE_ADDR": BALANCER, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert client.post(reverse("login"), right, **resident).status_code == 302


# --- /healthz/ ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client):
    page = client.get(reverse("healthz"))
    assert page.status_code == 200
    body = json.loads(page.content)
    assert body == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-store" in page["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_degraded_but_200_when_the_cache_is_down(client):
    with override_settings(CACHES=DEAD_REDIS):
        page = client.get(reverse("healthz"))
    assert page.status_code == 200
    assert json.loads(page.content) == {
        "status": "degraded",
        "database": "ok",
        "cache": "unavailable",
    }


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down(client):
    with database_down():
        page = client.get(reverse("healthz"))
    assert page.status_code == 503
    body = json.loads(page.content)
    assert body["database"] == "unavailable"
    assert body["status"] == "unavailable"
    assert body["cache"] == "ok"


# --- pages when the database is unreachable --------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "public_service_map", "public_route_list"])
def test_public_pages_answer_503_with_retry_after_when_the_database_is_down(client, name):
    with database_down():
        page = client.get(reverse(name))
    assert page.status_code == 503
    assert int(page["Retry-After"]) > 0
    body = page.content.decode()
    assert "数据库" in body and "database" in body.lower()
    assert "no-store" in page["Cache-Control"]


@pytest.mark.django_db
def test_logging_in_answers_503_when_the_database_is_down(client, planner):
    with database_down():
        page = client.post(
            reverse("login"), {"username": "planner", "password": "a-long-test-password-1"}
        )
    assert page.status_code == 503
    assert int(page["Retry-After"]) > 0


@pytest.mark.django_db
def test_a_signed_in_page_answers_503_when_the_database_is_down(planner_client):
    with database_down():
        page = planner_client.get(reverse("sites:site_list"))
    assert page.status_code == 503
    assert int(page["Retry-After"]) > 0


def test_a_database_error_outside_any_view_also_answers_503(rf):
    # Django calls the 500 handler inside the except block of the failure it handles.
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        page = views.server_error(rf.get("/"))
    assert page.status_code == 503
    assert int(page["Retry-After"]) > 0


def test_other_errors_still_answer_500(rf):
    try:
        raise ValueError("a bug")
    except ValueError:
        page = views.server_error(rf.get("/"))
    assert page.status_code == 500


# --- caching headers ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "args"),
    [("sites:site_list", []), ("sites:site_export", ["csv"]), ("sites:area_export", ["xlsx"])],
)
def test_signed_in_pages_and_exports_are_private_and_not_stored(planner_client, name, args):
    page = planner_client.get(reverse(name, args=args))
    assert page.status_code == 200
    directives = {d.strip() for d in page["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


@pytest.mark.django_db
def test_anonymous_public_pages_are_not_marked_private(client):
    page = client.get(reverse("public_service_map"))
    assert page.status_code == 200
    assert "no-store" not in page.get("Cache-Control", "")


# --- PostgreSQL statement and lock timeouts -------------------------------------------------


@pytest.fixture
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")


@contextmanager
def reconnected_with(options: str):
    """The test's connection reopened with other server options (short timeouts keep the test
    quick; the configured values are checked on their own)."""
    saved = connection.settings_dict["OPTIONS"]
    connection.close()
    connection.settings_dict["OPTIONS"] = {**saved, "options": options}
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["OPTIONS"] = saved


def _other_session(*, autocommit: bool):
    """A second PostgreSQL session to the test database, outside Django."""
    import psycopg

    params = connection.get_connection_params()
    for key in ("cursor_factory", "context", "options"):
        params.pop(key, None)
    return psycopg.connect(**params, autocommit=autocommit)


@contextmanager
def table_locked(table: str):
    """Another session holds an exclusive lock on a table until the block ends."""
    with _other_session(autocommit=False) as other:
        other.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
        yield
        other.rollback()


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_connections_carry_the_configured_timeouts(_postgres_only, settings):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        statement = cursor.fetchone()[0]
        cursor.execute("SHOW lock_timeout")
        lock = cursor.fetchone()[0]
    assert statement == f"{settings.DATABASE_STATEMENT_TIMEOUT}s"
    assert lock == f"{settings.DATABASE_LOCK_TIMEOUT}s"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "options",
    ["-c lock_timeout=200 -c statement_timeout=0", "-c lock_timeout=0 -c statement_timeout=300"],
    ids=["lock-timeout", "statement-timeout"],
)
def test_a_held_lock_gives_a_quick_503_not_a_hang(_postgres_only, client, options):
    from surveys.models import Survey

    survey = Survey.objects.create(title="锁", title_en="Lock", slug="locked", status="open")
    url = reverse("public_surveys:survey_form", args=[survey.slug])
    with reconnected_with(options), table_locked(Survey._meta.db_table):
        page = client.get(url)
    assert page.status_code == 503
    assert int(page["Retry-After"]) > 0
    body = page.content.decode()
    assert "busy" in body.lower() and "正忙" in body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_dropped_answers_503(_postgres_only, client):
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with _other_session(autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    try:
        page = client.get(reverse("home"))
        assert page.status_code == 503
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_nothing_is_half_saved_when_a_lock_times_out(_postgres_only, client, settings):
    from surveys.models import Answer, Response
    from tests.builders import make_area, make_full_survey, valid_post

    settings.SURVEY_RATE_LIMITS = {"per_address": (100, 60), "per_survey": (100, 60)}
    survey, qs = make_full_survey()
    data = valid_post(qs, make_area(name="East", code="east"))
    # The response row goes in; its answers wait for the lock and time out.
    with reconnected_with("-c lock_timeout=200"), table_locked(Answer._meta.db_table):
        page = client.post(survey.get_public_url(), data)
    assert page.status_code == 503
    assert Response.objects.count() == 0


@pytest.mark.parametrize(
    "name, value",
    [
        # A heartbeat timeout of 0 or less would end every running optimisation at once.
        ("RUN_HEARTBEAT_TIMEOUT", "0"),
        ("RUN_HEARTBEAT_TIMEOUT", "-5"),
        ("RUN_HEARTBEAT_TIMEOUT", "nan"),
        ("DATABASE_LOCK_TIMEOUT", "five"),
        ("SURVEY_RATE_PER_ADDRESS", "1.5"),
    ],
)
def test_a_bad_numeric_setting_stops_start_up_with_one_line(name, value):
    run = start_up_with(**{name: value})
    assert run.returncode != 0
    assert name in run.stderr
    assert "Traceback" not in run.stderr
