"""Recording inspections and closing findings: all or nothing, hazard flags follow findings."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from sites.models import Site, SiteStatus
from sites.safety import services as safety_services
from sites.safety.models import Finding, Inspection, InspectionPhoto
from sites.safety.services import NewFinding
from tests.builders import make_site

TODAY = date(2025, 6, 15)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def record(site, kind="fire", result="rectify", findings=None, **kwargs):
    if findings is None:
        findings = [NewFinding("Blocked exit", date(2025, 6, 30))]
    return safety_services.record_inspection(
        site=site,
        kind=kind,
        mode=kwargs.pop("mode", "self"),
        date=kwargs.pop("date", date(2025, 6, 10)),
        inspectors="Wang, Li",
        result=result,
        findings=findings,
        today=TODAY,
        **kwargs,
    )


def close(finding, on=date(2025, 6, 14), notes="Cleared"):
    return safety_services.close_finding(
        finding=finding, closed_on=on, closure_notes=notes, today=TODAY
    )


def flags(site) -> tuple[bool, bool, bool]:
    site = Site.objects.get(pk=site.pk)
    return site.hazard_fire, site.hazard_building, site.hazard_food


def test_an_open_finding_raises_the_flag_of_its_kind_only():
    site = make_site()
    inspection = record(site, kind="building")
    assert inspection.findings.count() == 1
    assert flags(site) == (False, True, False)
    assert site.hazard_building  # the caller's object follows too


def test_closing_the_last_open_finding_of_a_kind_lowers_the_flag():
    site = make_site()
    first = record(site, kind="fire").findings.get()
    second = record(
        site, kind="fire", findings=[NewFinding("Expired extinguisher", date(2025, 7, 1))]
    ).findings.get()
    record(site, kind="food")
    close(first)
    assert flags(site) == (True, False, True)  # another fire finding is still open
    close(second)
    assert flags(site) == (False, False, True)  # food is another kind: still raised
    assert Finding.objects.get(pk=second.pk).closed_on == date(2025, 6, 14)


def test_the_flag_change_is_in_the_site_history():
    site = make_site()
    before = site.history.count()
    finding = record(site).findings.get()
    close(finding)
    fire_values = [h.hazard_fire for h in site.history.order_by("history_date")[before:]]
    assert fire_values == [True, False]


def test_a_pass_does_not_lower_a_flag_while_a_finding_of_its_kind_is_open():
    site = make_site()
    record(site, kind="fire")
    record(site, kind="fire", result="pass", findings=[])
    assert flags(site) == (True, False, False)


def test_flags_follow_open_findings_only():
    site = make_site()
    # A flag left raised with no finding behind it (data from before the flags were derived).
    Site.objects.filter(pk=site.pk).update(hazard_food=True)
    record(site, kind="building", result="pass", findings=[])  # no finding: no flag
    record(site, kind="fire")
    assert flags(site) == (True, False, False)
    assert Site.objects.get(pk=site.pk).refresh_hazards() == []  # nothing left to change


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"result": "pass"}, "result"),
        ({"result": "rectify", "findings": []}, "result"),
        ({"result": "fail", "findings": [NewFinding("  ", date(2025, 7, 1))]}, "result"),
        ({"findings": [NewFinding("Crack", date(2025, 6, 1))]}, "findings"),
        ({"date": date(2025, 6, 16)}, "date"),
    ],
)
def test_inconsistent_inspections_are_refused_and_nothing_is_saved(kwargs, field):
    site = make_site()
    with pytest.raises(ValidationError) as caught:
        record(site, **kwargs)
    assert field in caught.value.message_dict
    assert not Inspection.objects.exists() and not Finding.objects.exists()
    assert flags(site) == (False, False, False)


def test_a_closed_site_is_not_inspected():
    site = make_site(status=SiteStatus.CLOSED, closed_reason="Merged")
    with pytest.raises(ValidationError):
        record(site)
    assert not Inspection.objects.exists()


def test_photos_are_saved_with_the_inspection(tmp_path):
    site = make_site()
    photo = SimpleUploadedFile("exit.png", PNG, content_type="image/png")
    inspection = record(site, photos=[photo])
    stored = inspection.photos.get()
    assert stored.image.name.startswith("inspections/")
    with stored.image.open("rb") as handle:
        assert handle.read() == PNG


def test_a_failing_photo_saves_nothing(monkeypatch):
    site = make_site()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(InspectionPhoto.objects, "create", broken)
    with pytest.raises(OSError):
        record(site, photos=[SimpleUploadedFile("a.png", PNG)])
    assert not Inspection.objects.exists() and not Finding.objects.exists()
    assert flags(site) == (False, False, False)


@pytest.mark.parametrize(
    ("on", "notes", "field"),
    [
        (date(2025, 6, 16), "Done", "closed_on"),  # in the future
        (date(2025, 6, 9), "Done", "closed_on"),  # before the inspection
        (date(2025, 6, 14), "   ", "closure_notes"),
    ],
)
def test_closing_needs_a_plausible_date_and_notes(on, notes, field):
    site = make_site()
    finding = record(site).findings.get()
    with pytest.raises(ValidationError) as caught:
        close(finding, on=on, notes=notes)
    assert field in caught.value.message_dict
    assert Finding.objects.get(pk=finding.pk).is_open
    assert flags(site)[0]


def test_a_finding_is_closed_once():
    finding = record(make_site()).findings.get()
    close(finding)
    with pytest.raises(ValidationError) as caught:
        close(finding, on=date(2025, 6, 15))
    assert "closed_on" in caught.value.message_dict
    assert Finding.objects.get(pk=finding.pk).closed_on == date(2025, 6, 14)
