"""Forms of the safety pages: an inspection with any number of findings and their photos, one
more finding, closing a finding, and the filters of the today page."""

from datetime import date

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from sites.models import Area
from sites.safety.models import Finding, Inspection, InspectionKind, InspectionMode
from sites.safety.photos import MAX_SIDE_PX, NotAnImage, normalised_photo
from sites.safety.schedules import shanghai_today
from sites.safety.selectors import SafetyFilters
from sites.safety.services import NewFinding

MAX_PHOTOS = 10
# A bound on the rows one post may build, not a rule of the trade: "any number" in practice.
MAX_FINDINGS = 100
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
    """Any number of photos (up to MAX_PHOTOS): JPEG, PNG or WebP by content, each bounded;
    cleaned into upright JPEGs of at most MAX_SIDE_PX (sites.safety.photos)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})
        )
        super().__init__(**kwargs)

    def has_changed(self, initial, data) -> bool:
        # The widget gives [] when nothing was chosen: a blank extra finding stays blank.
        files = data if isinstance(data, list | tuple) else [data]
        return not self.disabled and any(files)

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
            try:
                if image_type(upload) is None:
                    raise NotAnImage(name)
                cleaned.append(normalised_photo(upload))
            except NotAnImage:
                errors.append(
                    forms.ValidationError(
                        _("“%(name)s” is not a JPEG, PNG or WebP image."), params={"name": name}
                    )
                )
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
        self.fields["photos"].help_text = photos_help()

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > self.today:
            raise forms.ValidationError(_("The inspection date cannot be in the future."))
        return day


def photos_help() -> str:
    return _(
        "Optional: up to %(count)s JPEG, PNG or WebP images of at most %(limit)s each; "
        "stored at most %(side)s pixels wide."
    ) % {
        "count": MAX_PHOTOS,
        "limit": filesizeformat(settings.MAX_UPLOAD_BYTES),
        "side": MAX_SIDE_PX,
    }


class FindingForm(forms.ModelForm):
    """One finding with its own photos."""

    photos = PhotosField(label=_("Photos of this finding"), required=False)

    class Meta:
        model = Finding
        fields = ["description", "rectify_by"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "rectify_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = photos_help()

    def new_finding(self) -> NewFinding:
        return NewFinding(
            self.cleaned_data["description"],
            self.cleaned_data["rectify_by"],
            tuple(self.cleaned_data.get("photos") or ()),
        )


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
        return [form.new_finding() for form in self.forms if form.cleaned_data.get("description")]


# One empty row; "Add another finding" (static/js/findings.js) copies the empty form, and
# without JS "Record and add another finding" saves and opens a form for one more.
# absolute_max: a posted TOTAL_FORMS builds at most this many forms (see ChoiceFormSet).
FindingFormSet = forms.formset_factory(
    FindingForm,
    formset=BaseFindingFormSet,
    extra=1,
    max_num=MAX_FINDINGS,
    absolute_max=MAX_FINDINGS,
    validate_max=True,
)


class FindingCloseForm(forms.Form):
    closed_on = forms.DateField(
        label=_("Closed on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    closure_notes = forms.CharField(
        label=_("How it was rectified"), widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=_("Photos after rectification"), required=False)

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = today or shanghai_today()
        self.fields["photos"].help_text = photos_help()


class SafetyFilterForm(forms.Form):
    """The today page's and its lists' filters, kept in the address (GET)."""

    area = forms.ModelChoiceField(
        label=_("Area"), queryset=Area.objects.none(), required=False, empty_label=_("All areas")
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *InspectionKind.choices], required=False
    )
    mode = forms.ChoiceField(
        label=_("Check type"),
        choices=[("", _("Self-checks and joint")), *InspectionMode.choices],
        required=False,
    )

    def __init__(self, *args, areas: QuerySet[Area], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas.order_by("name")

    def filters(self) -> SafetyFilters:
        """What the valid fields ask for; a bad value (shown beside its field) filters nothing."""
        if not self.is_bound:
            return SafetyFilters()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return SafetyFilters(
            area=data.get("area"), kind=data.get("kind") or "", mode=data.get("mode") or ""
        )
