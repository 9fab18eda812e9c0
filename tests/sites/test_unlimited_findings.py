"""An inspection takes any number of findings, each with its own photos; photos are stored
upright, at most 1600 px and as JPEG; a file that is not an image is refused beside its field
and nothing is saved. Without JS, "Record and add another finding" saves and opens a form for
one more."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from fenglin import roles
from sites.models import Site
from sites.safety.models import Finding, Inspection, InspectionPhoto
from sites.safety.photos import MAX_SIDE_PX
from sites.safety.schedules import shanghai_today
from tests.builders import image_bytes, make_site, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def site():
    return make_site(name="Tianlong")


@pytest.fixture
def inspector_client(client, english):
    client.force_login(make_user("many-findings", roles.INSPECTORS))
    return client


def post_data(count: int, **extra) -> dict:
    today = shanghai_today()
    data = {
        "kind": "fire",
        "mode": "joint",
        "date": today.isoformat(),
        "inspectors": "Li, Zhao",
        "result": "rectify",
        "notes": "",
        "findings-TOTAL_FORMS": str(count),
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "100",
    }
    for i in range(count):
        data[f"findings-{i}-description"] = f"Finding number {i}"
        data[f"findings-{i}-rectify_by"] = (today + timedelta(days=7 + i)).isoformat()
    data.update(extra)
    return data


def photo(name: str, size=(40, 30)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG", size), content_type="image/jpeg")


def test_five_findings_each_with_its_own_photo(inspector_client, site):
    data = post_data(5, **{f"findings-{i}-photos": [photo(f"f{i}.jpg")] for i in range(5)})
    response = inspector_client.post(reverse("sites:inspection_create", args=[site.pk]), data)
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    findings = list(inspection.findings.order_by("pk"))
    assert [f.description for f in findings] == [f"Finding number {i}" for i in range(5)]
    for i, finding in enumerate(findings):
        (own,) = finding.photos.all()
        assert own.image.name.endswith(f"f{i}.jpg")
        assert own.inspection_id == inspection.pk
    assert not inspection.general_photos
    detail = inspector_client.get(response["Location"]).content.decode()
    for finding in findings:
        assert reverse("sites:inspection_photo", args=[finding.photos.get().pk]) in detail
    assert Site.objects.get(pk=site.pk).hazard_fire


def test_the_form_offers_one_empty_finding_and_a_template_for_more(inspector_client, site):
    page = inspector_client.get(reverse("sites:inspection_create", args=[site.pk]))
    html = page.content.decode()
    assert page.context["formset"].total_form_count() == 1
    assert 'id="finding-template"' in html and "findings-__prefix__-description" in html
    assert 'name="findings-0-photos"' in html and 'enctype="multipart/form-data"' in html


def test_a_phone_photo_is_stored_upright_at_most_1600_px_as_jpeg(inspector_client, site):
    # 4000 × 3000 taken with the phone turned: EXIF orientation 6 (turn 90° clockwise).
    exif = Image.Exif()
    exif[0x0112] = 6
    big = SimpleUploadedFile(
        "IMG_0001.JPG", image_bytes("JPEG", (4000, 3000), exif=exif), content_type="image/jpeg"
    )
    data = post_data(1, **{"findings-0-photos": [big]})
    response = inspector_client.post(reverse("sites:inspection_create", args=[site.pk]), data)
    assert response.status_code == 302
    stored = InspectionPhoto.objects.get()
    with stored.image.open("rb") as handle, Image.open(BytesIO(handle.read())) as image:
        assert image.format == "JPEG"
        assert max(image.size) <= MAX_SIDE_PX
        assert image.size == (1200, 1600)  # turned upright: taller than wide
        assert image.getexif().get(0x0112) is None


def test_a_text_file_is_refused_beside_its_finding_and_nothing_is_saved(inspector_client, site):
    notes = SimpleUploadedFile("notes.jpg", b"exit 2 blocked by boxes", content_type="image/jpeg")
    data = post_data(2, **{"findings-0-photos": [photo("ok.jpg")], "findings-1-photos": [notes]})
    response = inspector_client.post(reverse("sites:inspection_create", args=[site.pk]), data)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.forms[1].errors["photos"] == ["“notes.jpg” is not a JPEG, PNG or WebP image."]
    assert 'id="id_findings-1-photos_error"' in response.content.decode()
    assert not Inspection.objects.exists() and not InspectionPhoto.objects.exists()


def test_without_js_record_then_add_more_findings_one_by_one(inspector_client, site):
    response = inspector_client.post(
        reverse("sites:inspection_create", args=[site.pk]), post_data(1, add_finding="1")
    )
    inspection = Inspection.objects.get()
    add_url = reverse("sites:inspection_add_finding", args=[inspection.pk])
    assert response["Location"] == add_url
    deadline = (shanghai_today() + timedelta(days=14)).isoformat()
    for n in range(2):
        response = inspector_client.post(
            add_url,
            {
                "description": f"Extra {n}",
                "rectify_by": deadline,
                "photos": [photo(f"extra{n}.jpg")],
                "add_finding": "1",
            },
        )
        assert response["Location"] == add_url
    assert inspection.findings.count() == 3
    assert Finding.objects.get(description="Extra 1").photos.count() == 1


def test_a_passed_inspection_takes_no_added_finding(inspector_client, site):
    today = shanghai_today()
    data = post_data(0, result="pass")
    inspector_client.post(reverse("sites:inspection_create", args=[site.pk]), data)
    inspection = Inspection.objects.get()
    response = inspector_client.post(
        reverse("sites:inspection_add_finding", args=[inspection.pk]),
        {"description": "Late idea", "rectify_by": today.isoformat()},
    )
    assert response.status_code == 200
    assert "passed inspection" in response.context["form"].errors["description"][0]
    assert not Finding.objects.exists()
