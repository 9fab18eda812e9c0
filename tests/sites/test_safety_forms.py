"""Photo uploads are checked by their content and size, not by their name."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.datastructures import MultiValueDict

from sites.safety.forms import MAX_PHOTOS, FindingFormSet, InspectionForm, image_type
from tests.builders import image_bytes

JPEG = image_bytes("JPEG")
PNG = image_bytes("PNG")
WEBP = image_bytes("WEBP")
GIF = b"GIF89a" + b"\0" * 40
TODAY = date(2025, 6, 15)
DATA = {
    "kind": "fire",
    "mode": "self",
    "date": "2025-06-10",
    "inspectors": "Wang",
    "result": "pass",
    "notes": "",
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def form_with(*files):
    return InspectionForm(DATA, MultiValueDict({"photos": list(files)}), today=TODAY)


def upload(name, content):
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("content", "kind"),
    [(JPEG, "jpg"), (PNG, "png"), (WEBP, "webp"), (GIF, None), (b"RIFF\0\0\0\0WAVE", None)],
)
def test_image_type_reads_the_first_bytes(content, kind):
    assert image_type(upload("x", content)) == kind


def test_jpeg_png_and_webp_are_accepted_and_stored_as_jpeg():
    form = form_with(upload("front.jpg", JPEG), upload("exit.PNG", PNG), upload("a.bin", WEBP))
    assert form.is_valid(), form.errors
    assert [f.name for f in form.cleaned_data["photos"]] == ["front.jpg", "exit.jpg", "a.jpg"]
    assert all(image_type(f) == "jpg" for f in form.cleaned_data["photos"])


def test_no_photo_is_fine():
    form = InspectionForm(DATA, today=TODAY)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["photos"] == []


def test_a_file_named_jpg_that_is_not_an_image_is_refused_with_its_name():
    form = form_with(upload("photo.jpg", b"MZ\x90\x00 not an image"), upload("ok.png", PNG))
    assert not form.is_valid()
    assert form.errors["photos"] == ["“photo.jpg” is not a JPEG, PNG or WebP image."]


def test_a_gif_is_refused():
    form = form_with(upload("anim.gif", GIF))
    assert not form.is_valid()
    assert "not a JPEG, PNG or WebP image" in form.errors["photos"][0]


def test_a_photo_over_the_size_limit_is_refused(settings):
    settings.MAX_UPLOAD_BYTES = 1000
    form = form_with(upload("big.jpg", JPEG + b"\0" * 1000), upload("small.png", PNG))
    assert not form.is_valid()
    assert len(form.errors["photos"]) == 1
    assert "“big.jpg” is" in form.errors["photos"][0]
    assert "at most 1000" in form.errors["photos"][0]


def test_an_empty_file_is_refused():
    form = form_with(upload("empty.jpg", b""))
    assert not form.is_valid()
    assert form.errors["photos"]


def test_too_many_photos_are_refused():
    form = form_with(*[upload(f"{i}.png", PNG) for i in range(MAX_PHOTOS + 1)])
    assert not form.is_valid()
    assert str(MAX_PHOTOS) in form.errors["photos"][0]


def test_a_future_date_is_refused():
    form = InspectionForm({**DATA, "date": "2025-06-16"}, today=TODAY)
    assert not form.is_valid()
    assert "future" in form.errors["date"][0]


def findings_data(*rows):
    data = {"findings-TOTAL_FORMS": str(len(rows)), "findings-INITIAL_FORMS": "0"}
    for i, (description, rectify_by) in enumerate(rows):
        data[f"findings-{i}-description"] = description
        data[f"findings-{i}-rectify_by"] = rectify_by
    return data


def test_findings_skip_blank_rows_and_check_the_deadline_against_the_inspection():
    formset = FindingFormSet(
        findings_data(("Crack", "2025-06-30"), ("", ""), ("Exit", "2025-06-01")),
        prefix="findings",
        inspection_date=date(2025, 6, 10),
    )
    assert not formset.is_valid()
    assert formset.forms[2].errors["rectify_by"]
    assert not formset.forms[0].errors and not formset.forms[1].errors

    formset = FindingFormSet(
        findings_data(("Crack", "2025-06-30"), ("", "")),
        prefix="findings",
        inspection_date=date(2025, 6, 10),
    )
    assert formset.is_valid(), formset.errors
    assert [(f.description, f.rectify_by) for f in formset.new_findings()] == [
        ("Crack", date(2025, 6, 30))
    ]


def test_a_finding_needs_both_a_description_and_a_deadline():
    formset = FindingFormSet(
        findings_data(("Crack", ""), ("", "2025-06-30")),
        prefix="findings",
        inspection_date=date(2025, 6, 10),
    )
    assert not formset.is_valid()
    assert formset.forms[0].errors["rectify_by"]
    assert formset.forms[1].errors["description"]
