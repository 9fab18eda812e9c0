"""After login each role lands on its own page (fenglin.landing), a safe ?next= still wins, and
the staff menu marks the section the page belongs to."""

import pytest
from django.urls import reverse

from fenglin import roles
from tests.builders import PASSWORD, make_area, make_user

pytestmark = pytest.mark.django_db
LOGIN = reverse("login")


def log_in(client, user, **params):
    query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
    response = client.post(LOGIN + query, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response["Location"]


def landing_of(client, user) -> str:
    start = log_in(client, user)
    assert start == reverse("start")
    response = client.get(start)
    assert response.status_code == 302
    return response["Location"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (roles.INSPECTORS, "sites:safety_today"),
        (roles.PLANNERS, "scenarios:index"),
        (roles.VIEWERS, "scenarios:index"),
    ],
)
def test_each_role_lands_on_its_page(client, role, expected):
    assert landing_of(client, make_user(f"land-{role}", role)) == reverse(expected)


def test_committee_staff_land_on_their_area(client):
    area = make_area(name="Tianlin")
    user = make_user("land-committee", roles.COMMITTEE, area=area)
    assert landing_of(client, user) == reverse("sites:area_detail", args=[area.pk])


def test_an_administrator_lands_on_planning(client):
    assert landing_of(client, make_user("land-admin", superuser=True)) == reverse("scenarios:index")


def test_a_committee_member_who_also_inspects_lands_on_the_today_page(client):
    user = make_user("land-both", roles.COMMITTEE, area=make_area())
    user.groups.add(*make_user("land-x", roles.INSPECTORS).groups.all())
    assert landing_of(client, user) == reverse("sites:safety_today")


def test_every_landing_page_opens_for_its_role(client, english):
    area = make_area()
    for user in [
        make_user("open-inspector", roles.INSPECTORS),
        make_user("open-planner", roles.PLANNERS),
        make_user("open-committee", roles.COMMITTEE, area=area),
        make_user("open-viewer", roles.VIEWERS),
    ]:
        client.force_login(user)
        response = client.get(reverse("start"), follow=True)
        assert response.status_code == 200, user.username


def test_next_is_respected(client):
    user = make_user("land-next", roles.INSPECTORS)
    target = reverse("sites:site_list")
    assert log_in(client, user, next=target) == target


def test_a_foreign_next_is_ignored_for_the_role_page(client):
    user = make_user("land-evil", roles.INSPECTORS)
    assert log_in(client, user, next="https://evil.example/") == reverse("start")


def test_strangers_at_start_go_to_the_login_page(client):
    response = client.get(reverse("start"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.parametrize(
    ("page", "menu_link"),
    [
        ("sites:safety_today", "sites:safety_today"),
        ("sites:safety_dashboard", "sites:safety_today"),
        ("sites:site_list", "sites:site_list"),
        ("sites:area_list", "sites:area_list"),
        ("scenarios:index", "scenarios:index"),
    ],
)
def test_the_menu_marks_the_current_section(client, english, page, menu_link):
    client.force_login(make_user("nav-admin", superuser=True))
    html = client.get(reverse(page)).content.decode()
    nav = html.split('class="staff-nav"')[1].split("</nav>")[0]
    assert nav.count('aria-current="page"') == 1
    assert f'<a href="{reverse(menu_link)}" aria-current="page">' in nav
