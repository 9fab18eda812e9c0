"""The safety pages: who may open them, recording and closing through the forms, exports."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from fenglin import roles
from sites.models import Site
from sites.safety.models import Finding, Inspection, InspectionPhoto
from sites.safety.schedules import shanghai_today
from tests.builders import image_bytes, make_open_finding, make_site, make_user
from tests.sites.builders import read_csv, read_xlsx

pytestmark = pytest.mark.django_db
PNG = image_bytes("PNG")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def site():
    return make_site(name="Tianlong")


@pytest.fixture
def finding(site):
    return make_open_finding(site)


def login(client, role):
    client.force_login(make_user(f"user-{role}", role))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def read_urls(site, finding):
    return [
        reverse("sites:safety_dashboard"),
        reverse("sites:monthly_review"),
        reverse("sites:subtraction_review"),
        reverse("sites:site_safety", args=[site.pk]),
        reverse("sites:inspection_detail", args=[finding.inspection_id]),
        reverse("sites:safety_export", args=["csv"]),
        reverse("sites:safety_export", args=["xlsx"]),
    ]


@pytest.mark.parametrize("role", [roles.PLANNERS, roles.INSPECTORS, roles.VIEWERS])
def test_planners_inspectors_and_viewers_read_every_page(client, role, site, finding):
    login(client, role)
    for url in read_urls(site, finding):
        assert client.get(url).status_code == 200, url


def test_committee_staff_get_403_and_strangers_the_login_page(client, site, finding):
    for url in [
        *read_urls(site, finding),
        reverse("sites:inspection_create", args=[site.pk]),
        reverse("sites:finding_close", args=[finding.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    login(client, roles.COMMITTEE)
    for url in read_urls(site, finding):
        assert client.get(url).status_code == 403, url


def test_viewers_cannot_record_or_close(client, site, finding):
    login(client, roles.VIEWERS)
    assert client.get(reverse("sites:inspection_create", args=[site.pk])).status_code == 403
    response = client.post(
        reverse("sites:finding_close", args=[finding.pk]),
        {"closed_on": shanghai_today().isoformat(), "closure_notes": "x"},
    )
    assert response.status_code == 403
    assert Finding.objects.get(pk=finding.pk).is_open


def inspection_post(today, **overrides):
    data = {
        "kind": "building",
        "mode": "joint",
        "date": today.isoformat(),
        "inspectors": "Li, Zhao",
        "result": "rectify",
        "notes": "",
        "findings-TOTAL_FORMS": "3",
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "20",
        "findings-0-description": "Crack in the stair wall",
        "findings-0-rectify_by": (today + timedelta(days=30)).isoformat(),
        "findings-1-description": "",
        "findings-1-rectify_by": "",
    }
    data.update(overrides)
    return data


def test_an_inspector_records_an_inspection_with_findings_and_photos(client, site):
    login(client, roles.INSPECTORS)
    url = reverse("sites:inspection_create", args=[site.pk])
    page = client.get(url + "?kind=building&mode=joint")
    assert page.context["form"].initial["kind"] == "building"
    today = shanghai_today()
    data = inspection_post(today, photos=[SimpleUploadedFile("stairs.png", PNG)])
    response = client.post(url, data)
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sites:inspection_detail", args=[inspection.pk])
    assert inspection.recorded_by.username == "user-inspectors"
    assert [f.description for f in inspection.findings.all()] == ["Crack in the stair wall"]
    assert Site.objects.get(pk=site.pk).hazard_building
    photo = inspection.photos.get()
    detail = client.get(response["Location"])
    assert reverse("sites:inspection_photo", args=[photo.pk]) in detail.content.decode()
    served = client.get(reverse("sites:inspection_photo", args=[photo.pk]))
    # Stored as the JPEG it was turned into (sites.safety.photos).
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content).startswith(b"\xff\xd8\xff")


def test_a_bad_photo_gets_a_message_next_to_the_field_and_nothing_is_saved(client, site):
    login(client, roles.INSPECTORS)
    data = inspection_post(
        shanghai_today(), photos=[SimpleUploadedFile("photo.jpg", b"<?php echo 1; ?>")]
    )
    response = client.post(reverse("sites:inspection_create", args=[site.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["photos"] == [
        "“photo.jpg” is not a JPEG, PNG or WebP image."
    ]
    html = response.content.decode()
    assert 'id="id_photos_error"' in html
    assert not Inspection.objects.exists() and not InspectionPhoto.objects.exists()
    assert not Site.objects.get(pk=site.pk).hazard_building


def test_a_pass_with_findings_is_refused_with_a_message_on_the_result(client, site):
    login(client, roles.INSPECTORS)
    response = client.post(
        reverse("sites:inspection_create", args=[site.pk]),
        inspection_post(shanghai_today(), result="pass"),
    )
    assert response.status_code == 200
    assert "choose “Rectify” or “Fail”" in response.context["form"].errors["result"][0]
    assert not Inspection.objects.exists()


def test_a_deadline_before_the_inspection_is_marked_on_the_finding(client, site):
    login(client, roles.INSPECTORS)
    today = shanghai_today()
    data = inspection_post(
        today, **{"findings-0-rectify_by": (today - timedelta(days=1)).isoformat()}
    )
    response = client.post(reverse("sites:inspection_create", args=[site.pk]), data)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["rectify_by"]
    assert not Inspection.objects.exists()


def test_a_closed_site_cannot_be_inspected(client):
    closed = make_site(status="closed", closed_reason="Merged")
    login(client, roles.INSPECTORS)
    assert client.get(reverse("sites:inspection_create", args=[closed.pk])).status_code == 404


def test_closing_the_finding_lowers_the_flag(client, site, finding):
    assert Site.objects.get(pk=site.pk).hazard_fire
    login(client, roles.INSPECTORS)
    url = reverse("sites:finding_close", args=[finding.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"closed_on": shanghai_today().isoformat(), "closure_notes": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["closure_notes"]
    response = client.post(
        url, {"closed_on": shanghai_today().isoformat(), "closure_notes": "Exit cleared"}
    )
    assert response.status_code == 302
    assert not Finding.objects.get(pk=finding.pk).is_open
    assert not Site.objects.get(pk=site.pk).hazard_fire
    again = client.post(
        url, {"closed_on": shanghai_today().isoformat(), "closure_notes": "Once more"}
    )
    assert again.status_code == 200 and again.context["form"].errors["closed_on"]


def test_export_lists_every_inspection_with_its_findings(client, site, finding):
    login(client, roles.VIEWERS)
    rows = read_csv(client.get(reverse("sites:safety_export", args=["csv"])).content)
    header, row = rows[0], rows[1]
    record = dict(zip(header, row, strict=True))
    assert len(rows) == 2
    assert record["site"] == "Tianlong" and record["kind"] == "fire"
    assert record["findings"] == "1" and record["open_findings"] == "1"
    assert "Blocked exit" in record["finding_details"]
    sheet = read_xlsx(client.get(reverse("sites:safety_export", args=["xlsx"])).content)
    assert sheet[0] == header and sheet[1][2] == "Tianlong"
    assert client.get(reverse("sites:safety_export", args=["pdf"])).status_code == 404


def test_dashboard_shows_overdue_never_inspected_and_open_findings(client, site, finding):
    quiet = make_site(name="Never seen")
    login(client, roles.PLANNERS)
    response = client.get(reverse("sites:safety_dashboard"))
    board = response.context["board"]
    assert quiet in board.never_inspected and site not in board.never_inspected
    assert [f.pk for f in board.open_findings] == [finding.pk]
    assert sum(b.count for b in board.findings_by_age) == 1
    assert board.per_month[-1].count == 1
    html = response.content.decode()
    assert "<meter" in html and 'style="' not in html
    assert "Blocked exit" in html


def test_visitor_counts_are_saved_by_planners_only(client, site):
    login(client, roles.INSPECTORS)
    field = f"visitors_{site.pk}"
    assert client.post(reverse("sites:monthly_review"), {field: "800"}).status_code == 403
    page = client.get(reverse("sites:monthly_review"))
    assert f'name="{field}"' not in page.content.decode()

    login(client, roles.PLANNERS)
    page = client.get(reverse("sites:monthly_review"))
    assert f'name="{field}"' in page.content.decode()
    response = client.post(reverse("sites:monthly_review"), {field: "-3"})
    assert response.status_code == 200
    assert Site.objects.get(pk=site.pk).visitors_per_month is None
    assert 'class="errorlist"' in response.content.decode()
    response = client.post(reverse("sites:monthly_review"), {field: "800"})
    assert response.status_code == 302
    assert Site.objects.get(pk=site.pk).visitors_per_month == 800


def test_subtraction_review_filter_takes_bad_input_calmly(client, site):
    login(client, roles.VIEWERS)
    response = client.get(reverse("sites:subtraction_review") + "?min_reasons=abc")
    assert response.status_code == 200


def test_the_site_page_include_shows_the_latest_inspections(site, finding, planner):
    request = RequestFactory().get("/")
    request.user = planner
    html = render_to_string("safety/_site_history.html", {"site": site}, request=request)
    assert reverse("sites:site_safety", args=[site.pk]) in html
    assert reverse("sites:inspection_detail", args=[finding.inspection_id]) in html


def test_the_include_shows_nothing_without_the_permission(site, finding):
    user = make_user("committee-x", roles.COMMITTEE)
    request = RequestFactory().get("/")
    request.user = user
    html = render_to_string("safety/_site_history.html", {"site": site}, request=request)
    assert html.strip() == ""


def test_visitor_counts_of_two_planners_at_once_lose_nothing(client, site):
    # Two planners open the monthly review; each changes a different site's count.
    other = make_site(name="Second site", visitors_per_month=50)
    Site.objects.filter(pk=site.pk).update(visitors_per_month=100)
    login(client, roles.PLANNERS)
    page = client.get(reverse("sites:monthly_review")).content.decode()
    ours, theirs = f"visitors_{site.pk}", f"visitors_{other.pk}"
    assert f'name="initial-{ours}"' in page

    # Meanwhile the other planner saved 70 for the second site.
    Site.objects.filter(pk=other.pk).update(visitors_per_month=70)
    shown = {f"initial-{ours}": "100", f"initial-{theirs}": "50"}
    response = client.post(reverse("sites:monthly_review"), {**shown, ours: "120", theirs: "50"})
    assert response.status_code == 302
    assert Site.objects.get(pk=site.pk).visitors_per_month == 120
    assert Site.objects.get(pk=other.pk).visitors_per_month == 70  # not written back to 50

    # Changing a count someone else changed meanwhile is refused, naming their value.
    shown = {f"initial-{ours}": "120", f"initial-{theirs}": "50"}
    response = client.post(reverse("sites:monthly_review"), {**shown, ours: "130", theirs: "55"})
    assert response.status_code == 200
    assert "70" in response.content.decode()
    assert Site.objects.get(pk=other.pk).visitors_per_month == 70
    assert Site.objects.get(pk=site.pk).visitors_per_month == 120  # nothing half-saved
    # The page shown again carries today's count: saving again is a deliberate overwrite.
    assert f'name="initial-{theirs}" value="70"' in response.content.decode()
    again = {f"initial-{ours}": "120", f"initial-{theirs}": "70", ours: "120", theirs: "55"}
    assert client.post(reverse("sites:monthly_review"), again).status_code == 302
    assert Site.objects.get(pk=other.pk).visitors_per_month == 55
