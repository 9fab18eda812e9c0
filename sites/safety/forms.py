"""Forms of the safety pages: an inspection with its findings and photos, closing a finding."""

from datetime import date
from pathlib import Path

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from sites.safety.models import Finding, Inspection
from sites.safety.schedules import shanghai_today
from sites.safety.services import NewFinding

MAX_PHOTOS = 10
# The first bytes of each accepted image type: the extension alone proves nothing.
IMAGE_SIGNATURES: list[tuple[str, bytes, int]] = [
    ("jpg", b"\xff\xd8\xff", 0),
    ("png", b"\x89PNG\r\n\x1a\n", 0),
    ("webp", b"WEBP", 8),  # after "RIFF" and a four-byte length
]
PHOTO_CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def image_type(upload) -> str | None:
    """ "jpg", "png" or "webp" from the file's first bytes, or None for anything else."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for name, signature, offset in IMAGE_SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            if name == "webp" and not head.startswith(b"RIFF"):
                continue
            return name
    return None


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Any number of photos (up to MAX_PHOTOS): JPEG, PNG or WebP by content, each bounded."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if not uploads:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("Attach at most %(max)s photos at a time."), params={"max": MAX_PHOTOS}
            )
        errors, cleaned = [], []
        limit = settings.MAX_UPLOAD_BYTES
        for upload in uploads:
            try:
                upload = super().clean(upload, initial)
            except forms.ValidationError as error:
                errors.extend(error.error_list)
                continue
            name = upload.name or "photo"
            if upload.size > limit:
                errors.append(
                    forms.ValidationError(
                        _("“%(name)s” is %(size)s; a photo may be at most %(limit)s."),
                        params={
                            "name": name,
                            "size": filesizeformat(upload.size),
                            "limit": filesizeformat(limit),
                        },
                    )
                )
                continue
            kind = image_type(upload)
            if kind is None:
                errors.append(
                    forms.ValidationError(
                        _("“%(name)s” is not a JPEG, PNG or WebP image."), params={"name": name}
                    )
                )
                continue
            # Stored under its true type, whatever the name said.
            stem = get_valid_filename(Path(name).stem)[:60] or "photo"
            upload.name = f"{stem}.{kind}"
            cleaned.append(upload)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class InspectionForm(forms.ModelForm):
    photos = PhotosField(
        label=_("Photos"),
        required=False,
        help_text=_("Optional: JPEG, PNG or WebP images."),
    )

    class Meta:
        model = Inspection
        fields = ["kind", "mode", "date", "inspectors", "result", "notes"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"inspectors": _("Names of the people who inspected.")}

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or shanghai_today()
        self.fields["date"].initial = self.today
        self.fields["photos"].help_text = _(
            "Optional: up to %(count)s JPEG, PNG or WebP images of at most %(limit)s each."
        ) % {"count": MAX_PHOTOS, "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)}

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > self.today:
            raise forms.ValidationError(_("The inspection date cannot be in the future."))
        return day


class FindingForm(forms.ModelForm):
    class Meta:
        model = Finding
        fields = ["description", "rectify_by"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "rectify_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class BaseFindingFormSet(forms.BaseFormSet):
    """Findings of a new inspection; blank rows are skipped. Each deadline is checked against
    the inspection's date, when the inspection form gave a valid one."""

    def __init__(self, *args, inspection_date: date | None = None, **kwargs):
        self.inspection_date = inspection_date
        super().__init__(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.inspection_date is None:
            return
        for form in self.forms:
            rectify_by = form.cleaned_data.get("rectify_by") if form.is_valid() else None
            if rectify_by is not None and rectify_by < self.inspection_date:
                form.add_error(
                    "rectify_by", _("The deadline cannot fall before the inspection date.")
                )
        if any(form.errors for form in self.forms):
            raise forms.ValidationError(_("Correct the findings marked below."))

    def new_findings(self) -> list[NewFinding]:
        return [
            NewFinding(form.cleaned_data["description"], form.cleaned_data["rectify_by"])
            for form in self.forms
            if form.cleaned_data.get("description")
        ]


# absolute_max: a posted TOTAL_FORMS builds at most this many forms (see ChoiceFormSet).
FindingFormSet = forms.formset_factory(
    FindingForm,
    formset=BaseFindingFormSet,
    extra=3,
    max_num=20,
    absolute_max=20,
    validate_max=True,
)


class FindingCloseForm(forms.Form):
    closed_on = forms.DateField(
        label=_("Closed on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    closure_notes = forms.CharField(
        label=_("How it was rectified"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = today or shanghai_today()
