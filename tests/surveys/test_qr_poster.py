"""The public link as a QR code: inline SVG on the survey page (no image request, no style
attribute) and an A4 poster for residents' committees with the link written out."""

import io
import re

import pytest
import segno
from django.urls import reverse

from surveys.models import SurveyStatus
from tests.builders import make_survey

pytestmark = pytest.mark.django_db


def _svg(html: str) -> str:
    return re.search(r'<svg[^>]*class="qr-code".*?</svg>', html, re.S).group(0)


def test_survey_page_shows_the_qr_code_of_its_public_link(english, planner):
    survey = make_survey()
    english.force_login(planner)
    html = english.get(survey.get_absolute_url()).content.decode()
    svg = _svg(html)
    public = "http://testserver" + survey.get_public_url()
    expected = io.BytesIO()
    segno.make(public, error="m", micro=False).save(expected, kind="svg", omitsize=True)
    # The same modules as a code made directly from the link.
    assert re.search(r' d="([^"]+)"', svg).group(1) == re.search(
        r' d="([^"]+)"', expected.getvalue().decode()
    ).group(1)
    assert "style=" not in svg
    assert reverse("surveys:survey_poster", args=[survey.pk]) in html


def test_draft_has_no_qr_code(english, planner):
    survey = make_survey(status=SurveyStatus.DRAFT)
    english.force_login(planner)
    html = english.get(survey.get_absolute_url()).content.decode()
    assert 'class="qr-code"' not in html


def test_poster_has_title_large_code_link_and_scan_to_answer(english, planner):
    survey = make_survey(title_en="Canteen survey")
    english.force_login(planner)
    page = english.get(reverse("surveys:survey_poster", args=[survey.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "poster-page" in html
    assert "<h1>Canteen survey</h1>" in html
    assert "Scan to answer" in html
    assert "http://testserver" + survey.get_public_url() in html
    assert _svg(html)


def test_poster_is_for_staff(client):
    survey = make_survey()
    page = client.get(reverse("surveys:survey_poster", args=[survey.pk]))
    assert page.status_code in (302, 403)
