"""Closing a finding records who reviewed the rectification, when, with notes and photos of
the rectified state; the site's safety page shows each finding's history."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fenglin import roles
from sites.safety.models import Finding, PhotoStage
from sites.safety.schedules import shanghai_today
from tests.builders import image_bytes, make_open_finding, make_site, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def finding():
    return make_open_finding(make_site(name="Tianlong"), on=shanghai_today() - timedelta(days=3))


@pytest.fixture
def reviewer(client, english):
    user = make_user("reviewer-wang", roles.INSPECTORS)
    client.force_login(user)
    return user


def close(client, finding, **extra):
    data = {
        "closed_on": shanghai_today().isoformat(),
        "closure_notes": "Boxes moved; exit signs lit.",
        **extra,
    }
    return client.post(reverse("sites:finding_close", args=[finding.pk]), data)


def test_closing_records_the_reviewer_the_time_the_notes_and_a_photo(client, reviewer, finding):
    before = timezone.now()
    after_photo = SimpleUploadedFile("after.png", image_bytes("PNG", (50, 40)))
    response = close(client, finding, photos=[after_photo])
    assert response.status_code == 302
    closed = Finding.objects.get(pk=finding.pk)
    assert closed.closed_on == shanghai_today()
    assert closed.closure_notes == "Boxes moved; exit signs lit."
    assert closed.reviewed_by == reviewer
    assert before <= closed.reviewed_at <= timezone.now()
    (photo,) = closed.photos.all()
    assert photo.stage == PhotoStage.RECTIFIED and photo.image.name.endswith("after.jpg")

    history = client.get(reverse("sites:site_safety", args=[finding.inspection.site_id]))
    html = history.content.decode()
    assert 'id="finding-history"' in html
    assert "Reviewed by reviewer-wang" in html and "Boxes moved; exit signs lit." in html
    assert reverse("sites:inspection_photo", args=[photo.pk]) in html
    assert "After rectification" in html


def test_closing_without_notes_is_refused_and_records_no_review(client, reviewer, finding):
    response = close(client, finding, closure_notes="  ")
    assert response.status_code == 200
    assert response.context["form"].errors["closure_notes"]
    unchanged = Finding.objects.get(pk=finding.pk)
    assert unchanged.is_open and unchanged.reviewed_by is None and unchanged.reviewed_at is None


def test_a_text_file_as_the_closing_photo_is_refused_and_nothing_is_closed(
    client, reviewer, finding
):
    text = SimpleUploadedFile("after.jpg", b"done", content_type="image/jpeg")
    response = close(client, finding, photos=[text])
    assert response.status_code == 200
    assert response.context["form"].errors["photos"] == [
        "“after.jpg” is not a JPEG, PNG or WebP image."
    ]
    assert Finding.objects.get(pk=finding.pk).is_open
