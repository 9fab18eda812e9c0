"""The inspectors' today page: overdue findings and checks first, most overdue first, then what
falls due within 7 days; tiles open filtered lists; filters by area, kind and check type stay in
the address; committee staff (also when inspectors) see their own area only.

The clock is fixed: the views' `shanghai_today` is replaced by TODAY.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from fenglin import roles
from sites.models import Site
from sites.safety import selectors
from sites.safety import views as safety_views
from sites.safety.selectors import SafetyFilters
from sites.safety.services import NewFinding, record_inspection
from tests.builders import make_area, make_site, make_user

pytestmark = pytest.mark.django_db
# Four days before the month's end: every never-inspected site owes its four general checks
# (fire and building, self-check and joint) by 31 December, within the week.
TODAY = date(2026, 12, 27)
URL = reverse("sites:safety_today")


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    monkeypatch.setattr(safety_views, "shanghai_today", lambda: TODAY)


@pytest.fixture
def inspector_client(client, english):
    client.force_login(make_user("today-inspector", roles.INSPECTORS))
    return client


def finding_at(site, *, days_overdue: int, kind: str = "fire", mode: str = "self", text: str):
    """An open finding at `site` whose deadline passed `days_overdue` days before TODAY."""
    due = TODAY - timedelta(days=days_overdue)
    inspection = record_inspection(
        site=site,
        kind=kind,
        mode=mode,
        date=due - timedelta(days=30),
        inspectors="Wang",
        result="rectify",
        findings=[NewFinding(text, due)],
        today=TODAY,
    )
    return inspection.findings.get()


def test_overdue_findings_and_checks_come_before_a_hundred_rows_due_this_week(inspector_client):
    for n in range(25):
        make_site(name=f"Upcoming {n:02d}")  # 25 sites × 4 checks = 100 rows due this week
    exits = make_site(name="Exits")
    finding_at(exits, days_overdue=45, text="Two of three exits blocked")
    finding_at(exits, days_overdue=3, kind="building", text="Loose railing")

    response = inspector_client.get(URL)
    assert response.status_code == 200
    board = response.context["board"]
    # 100 rows, and the three checks of "Exits" other than its overdue fire self-check.
    assert len(board.week_checks) == 103
    assert [f.description for f in board.overdue_findings] == [
        "Two of three exits blocked",
        "Loose railing",
    ]
    assert [f.days_overdue for f in board.overdue_findings] == [45, 3]
    # The site inspected in October owes its fire self-check since 30 November.
    assert [(d.site.name, d.kind, d.mode) for d in board.overdue_checks] == [
        ("Exits", "fire", "self")
    ]
    html = response.content.decode()
    blocked = html.index("Two of three exits blocked")
    assert "45 days overdue" in html
    assert blocked < html.index("Loose railing")
    assert blocked < html.index('id="overdue-checks"') < html.index('id="week-checks"')
    assert html.index("Loose railing") < html.index("Upcoming 00")


def test_the_checks_longest_overdue_come_first():
    late = make_site(name="A late")
    later = make_site(name="B later")
    for site, last in ((late, date(2026, 10, 5)), (later, date(2026, 8, 5))):
        record_inspection(
            site=site,
            kind="fire",
            mode="self",
            date=last,
            inspectors="Li",
            result="pass",
            today=TODAY,
        )
    board = selectors.today_board(Site.objects.all(), SafetyFilters(), today=TODAY)
    fire_self = [d for d in board.overdue_checks if (d.kind, d.mode) == ("fire", "self")]
    assert [(d.site.name, d.days_overdue) for d in fire_self] == [
        ("B later", (TODAY - date(2026, 9, 30)).days),
        ("A late", (TODAY - date(2026, 11, 30)).days),
    ]


def test_the_tiles_open_lists_that_keep_the_filters(inspector_client):
    north = make_area(name="North")
    site = make_site(name="Exits", area=north)
    finding_at(site, days_overdue=45, text="Two of three exits blocked")
    response = inspector_client.get(URL, {"area": north.pk, "kind": "fire"})
    tiles = response.content.decode().split('id="today-tiles"')[1].split("</ul>")[0]
    findings_url = reverse("sites:safety_findings")
    assert f'href="{findings_url}?area={north.pk}&amp;kind=fire&amp;state=overdue"' in tiles

    listed = inspector_client.get(
        findings_url, {"area": north.pk, "kind": "fire", "state": "overdue"}
    )
    assert listed.status_code == 200
    assert [f.description for f in listed.context["page_obj"]] == ["Two of three exits blocked"]
    assert "45 days overdue" in listed.content.decode()


def test_filters_by_area_kind_and_check_type(inspector_client):
    north, south = make_area(name="North"), make_area(name="South")
    north_site = make_site(name="North hall", area=north)
    south_site = make_site(name="South hall", area=south)
    finding_at(north_site, days_overdue=10, kind="fire", mode="self", text="North fire")
    finding_at(north_site, days_overdue=10, kind="building", mode="joint", text="North wall")
    finding_at(south_site, days_overdue=10, kind="fire", mode="joint", text="South fire")

    def shown(**params):
        board = inspector_client.get(URL, params).context["board"]
        return sorted(f.description for f in board.overdue_findings), board

    assert shown()[0] == ["North fire", "North wall", "South fire"]
    names, board = shown(area=north.pk)
    assert names == ["North fire", "North wall"]
    assert {d.site.name for d in board.week_checks + board.overdue_checks} == {"North hall"}
    assert shown(kind="fire")[0] == ["North fire", "South fire"]
    names, board = shown(mode="joint")
    assert names == ["North wall", "South fire"]
    assert {d.mode for d in board.week_checks + board.overdue_checks} == {"joint"}
    assert shown(area=north.pk, kind="fire", mode="self")[0] == ["North fire"]


def test_a_bad_filter_value_is_named_beside_its_field_and_filters_nothing(inspector_client):
    site = make_site(name="Exits")
    finding_at(site, days_overdue=5, text="Blocked exit")
    response = inspector_client.get(URL, {"kind": "plumbing", "area": "999999"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_kind_error"' in html and 'id="id_area_error"' in html
    assert [f.description for f in response.context["board"].overdue_findings] == ["Blocked exit"]


def test_a_committee_member_who_inspects_sees_only_their_area(client, english):
    north, south = make_area(name="North"), make_area(name="South")
    finding_at(make_site(name="North hall", area=north), days_overdue=9, text="North exit")
    finding_at(make_site(name="South hall", area=south), days_overdue=9, text="South exit")
    user = make_user("both", roles.COMMITTEE, area=north)
    user.groups.add(*make_user("x", roles.INSPECTORS).groups.all())
    client.force_login(user)

    board = client.get(URL).context["board"]
    assert [f.description for f in board.overdue_findings] == ["North exit"]
    assert {d.site.name for d in board.week_checks + board.overdue_checks} == {"North hall"}
    # Asking for the other area shows nothing of it: it is not even a choice.
    response = client.get(URL, {"area": south.pk})
    assert "South exit" not in response.content.decode()
    assert 'id="id_area_error"' in response.content.decode()
    # The dashboard counts the member's area only.
    dashboard = client.get(reverse("sites:safety_dashboard")).context["board"]
    assert dashboard.open_findings_total == 1
    assert {d.site.name for d in dashboard.dues} == {"North hall"}


def test_the_check_list_pages_keep_the_filters(inspector_client):
    area = make_area(name="North")
    for n in range(15):
        make_site(name=f"Hall {n:02d}", area=area)  # 60 checks due this week
    response = inspector_client.get(
        reverse("sites:safety_checks"), {"state": "week", "area": area.pk}
    )
    page = response.context["page_obj"]
    assert page.paginator.count == 60 and len(page.object_list) == 50
    assert f"?state=week&amp;area={area.pk}&amp;page=2" in response.content.decode()
    second = inspector_client.get(
        reverse("sites:safety_checks"), {"state": "week", "area": area.pk, "page": 2}
    )
    assert len(second.context["page_obj"].object_list) == 10


def test_the_today_page_reads_a_fixed_number_of_queries(
    inspector_client, django_assert_max_num_queries
):
    for n in range(5):
        site = make_site(name=f"Hall {n}")
        finding_at(site, days_overdue=n + 1, text=f"Finding {n}")
    with django_assert_max_num_queries(20) as few:
        inspector_client.get(URL)
    for n in range(5, 20):
        site = make_site(name=f"Hall {n}")
        finding_at(site, days_overdue=n + 1, text=f"Finding {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        inspector_client.get(URL)
