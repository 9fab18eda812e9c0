"""The admin's history of a site shows each change in words: a status by its label, a flag as
yes or no, an empty value as "—", never the stored "operating", True or None."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from sites import services
from sites.models import SiteStatus
from tests.builders import make_site

pytestmark = pytest.mark.django_db


def changes(admin_client, site, language: str) -> str:
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = admin_client.get(reverse("admin:sites_site_history", args=[site.pk])).content.decode()
    return " ".join(re.sub(r"<[^>]+>|&nbsp;|&rarr;", " ", html).split())


@pytest.fixture
def edited(admin_user):
    site = make_site(status=SiteStatus.CANDIDATE, floor_area_m2=None, ground_floor=False)
    site.floor_area_m2 = Decimal("120.0")
    site.ground_floor = True
    site.save()
    services.change_site_status(
        site=site, to_status=SiteStatus.SELECTED, reason="", user=admin_user
    )
    return site


def test_english_history_shows_labels_yes_no_and_a_dash(admin_client, edited):
    text = changes(admin_client, edited, "en")
    assert "Status: Candidate Selected" in text
    assert "On the ground floor: no yes" in text
    assert "Floor area (m²): — 120.0" in text
    for raw in ("candidate", "selected", "False", "True", ": None"):
        assert f" {raw} " not in f" {text} ".replace(":", " :")


def test_chinese_history_shows_the_chinese_labels(admin_client, edited):
    text = changes(admin_client, edited, "zh-hans")
    with translation.override("zh-hans"):
        selected, yes = str(SiteStatus.SELECTED.label), translation.gettext("yes,no,maybe")
    assert selected in text
    assert yes.split(",")[0] in text
    assert "selected" not in text
