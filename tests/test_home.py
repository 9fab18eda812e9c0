import pytest
from django.urls import reverse

from tests.builders import make_site


@pytest.mark.django_db
def test_home_shows_operating_sites_but_not_candidates_on_the_street_map(client):
    make_site(name="Operating canteen", status="operating")
    make_site(name="Secret candidate", status="candidate")
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="street-map"' in body
    assert "Operating canteen" in body
    assert "Secret candidate" not in body


@pytest.mark.django_db
def test_inline_map_scripts_carry_the_csp_nonce(client):
    import re

    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    tags = re.findall(r"<script[^>]*>", response.content.decode())
    inline = [t for t in tags if "src=" not in t and "application/json" not in t]
    # The policy has no unsafe-inline to fall back on: code without the nonce would not run.
    assert inline, "the map is initialised by an inline script"
    assert all(f'nonce="{nonce}"' in tag for tag in inline)


def test_database_url_switches_the_engine(monkeypatch):
    import environ

    env = environ.Env()
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/fenglin")
    assert env.db("DATABASE_URL")["ENGINE"] == "django.db.backends.postgresql"
    monkeypatch.setenv("DATABASE_URL", "sqlite:///x.sqlite3")
    assert env.db("DATABASE_URL")["ENGINE"] == "django.db.backends.sqlite3"


@pytest.mark.django_db
def test_admin_login_works_for_an_administrator(client, admin_user):
    response = client.post(
        reverse("admin:login"),
        {"username": "admin", "password": "a-long-test-password-1", "next": "/admin/"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_staff_login_is_throttled_after_repeated_failures(client, planner, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "planner", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "planner", "password": "a-long-test-password-1"}
    )
    assert response.status_code == 429
