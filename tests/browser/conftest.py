"""Browser tests drive Debian's Chromium (never a downloaded build) with Playwright."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the
# tests themselves (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    """Mark every browser test `browser` (make test runs them in a pytest run of their own:
    Playwright's event loop swaps the test thread's database connection, which transactional
    tests in the same run would trip over), and skip them where Chromium is missing."""
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def screenshot(page):
    """Save a screenshot of the page under test-artifacts/screenshots/NAME.png."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# --- Shared helpers for the journeys and the accessibility checks ---------------------------

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def _migrated_data_snapshot(django_db_setup):
    """The migrated data that serialized rollback restores, read before Playwright starts."""
    from django.db import connections

    return getattr(connections["default"], "_test_serialized_contents", None)


@pytest.fixture(scope="session")
def playwright(_migrated_data_snapshot, playwright):
    """pytest-playwright's Playwright, with the database snapshot carried over.

    Once Playwright's sync API runs, Django hands this thread a new connection object, which
    lacks the snapshot: serialized rollback would silently restore nothing, and a browser test
    would start from the previous one's flushed, empty tables (no service catalogue).
    """
    from django.db import connections

    connection = connections["default"]
    if _migrated_data_snapshot is not None and not hasattr(connection, "_test_serialized_contents"):
        connection._test_serialized_contents = _migrated_data_snapshot
    return playwright


@pytest.fixture
def live_server(request, settings, transactional_db):
    """A live server per test, started under plain-HTTP settings.

    pytest-django's own live server lives for the whole session and builds its middleware at
    start, when production's SECURE_SSL_REDIRECT would send every request to https; this one is
    built inside the test's settings and stopped at its end.
    """
    from pytest_django.live_server_helper import LiveServer

    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0
    # Plain HTTP: production's Secure cookies would never come back.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False
    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr)
    yield server
    # The browser (closed by now) held keep-alive request threads that share the test's
    # database connection: let them end before the server stops sharing it.
    _wait_for_request_threads()
    server.stop()


def _wait_for_request_threads(timeout: float = 5.0) -> None:
    import threading
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any("process_request_thread" in t.name for t in threading.enumerate()):
            return
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def _local_network_only(request):
    """Map tiles and anything else off this machine are refused before they leave it."""
    if "page" not in request.fixturenames:
        return
    from urllib.parse import urlsplit

    page = request.getfixturevalue("page")

    def route(route):
        host = urlsplit(route.request.url).hostname
        if host in ("localhost", "127.0.0.1", "::1") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            route.abort()

    page.context.route("**/*", route)


@pytest.fixture
def demo(live_server):
    """The demo data set, as `make run` loads it (fewer responses, to stay quick)."""
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", responses=50, stdout=StringIO())


@pytest.fixture
def login_as(page, live_server):
    """Log a user in by giving the browser a session cookie (the login page has its own test)."""
    from django.conf import settings
    from django.test import Client

    def login(user):
        client = Client()
        client.force_login(user)
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        return user

    return login


@pytest.fixture
def english(page, live_server):
    """Show the pages in English (the language switcher's cookie)."""
    from django.conf import settings

    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )


@pytest.fixture
def axe(page):
    """Run axe-core on the current page; returns its serious and critical violations."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` at the repository root")
    source = AXE_JS.read_text(encoding="utf-8")

    def run(*, context: str = "document") -> list[dict]:
        # evaluate() is not subject to the page's Content-Security-Policy, a script tag would be.
        page.evaluate(source)
        result = page.evaluate(
            f"""async () => await axe.run({context}, {{
                resultTypes: ["violations"],
                runOnly: {{type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                 "best-practice"]}}
            }})"""
        )
        return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]

    return run
