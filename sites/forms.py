from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from fenglin.versioning import VersionedModelForm
from sites.boundaries import boundary_problems, read_upload
from sites.boundary_editor import BoundaryEditorWidget
from sites.fields import StrictJSONFormField
from sites.models import (
    Area,
    PremisesType,
    ServiceType,
    Site,
    SiteService,
    SiteStatus,
)
from sites.widgets import PointPickerWidget


def area_label(area: Area) -> str:
    """An area in a select: its name in the page's language."""
    return area.display_name


class SiteFilterForm(forms.Form):
    """The site list's filters (GET). Invalid values are reported next to their field."""

    HAZARD_CHOICES = [
        ("", _("Any")),
        ("any", _("With a hazard")),
        ("none", _("Without hazards")),
        ("fire", _("Fire hazard")),
        ("building", _("Building hazard")),
        ("food", _("Food safety hazard")),
    ]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any"))] + SiteStatus.choices
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        required=False,
        queryset=ServiceType.objects.active(),
        empty_label=_("Any"),
    )
    area = forms.ModelChoiceField(
        label=_("Area"), required=False, queryset=Area.objects.all(), empty_label=_("Any")
    )
    hazard = forms.ChoiceField(label=_("Hazard"), required=False, choices=HAZARD_CHOICES)
    archived = forms.BooleanField(label=_("Show archived sites"), required=False)

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        if areas is not None:
            self.fields["area"].queryset = areas
        self.fields["area"].label_from_instance = area_label
        self.fields["q"].widget.attrs["type"] = "search"

    def filters(self) -> dict:
        """The valid filters only: a wrong value in one field does not void the others."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": (data.get("q") or "").strip(),
            "status": data.get("status") or "",
            "service": data.get("service"),
            "area": data.get("area"),
            "hazard": data.get("hazard") or "",
            "archived": bool(data.get("archived")),
        }


class SiteForm(VersionedModelForm):
    """Create and edit a site; the status is chosen only when creating (then it has its own
    page, which records each step). The hazard flags are not here: they follow the open
    findings of inspections."""

    field_order = ["name", "name_en", "code"]

    class Meta:
        model = Site
        fields = [name for name in Site.EDITABLE_FIELDS if name != "closed_reason"]
        widgets = {"longitude": PointPickerWidget(), "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        if areas is not None:
            self.fields["area"].queryset = areas
        self.fields["area"].label_from_instance = area_label
        if self.instance.pk:
            del self.fields["status"]
        else:
            # A new site cannot start closed: closing needs a reason and a history.
            self.fields["status"].choices = [
                (value, label) for value, label in SiteStatus.choices if value != SiteStatus.CLOSED
            ]
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update({"step": "0.000001", "inputmode": "decimal"})
        # Left out, a site is "other" premises: the optimiser then offers it only to services
        # that accept any premises.
        self.fields["premises_type"].required = False

    def clean_premises_type(self) -> str:
        return self.cleaned_data["premises_type"] or PremisesType.OTHER


class LifecycleChoiceField(forms.ChoiceField):
    """Offers the statuses the site may move to; a posted value is judged by the form's clean
    with the model's lifecycle check, so a refused step gets the same message as in the admin
    or an import."""

    def validate(self, value):
        forms.Field.validate(self, value)


class SiteStatusForm(forms.Form):
    to_status = LifecycleChoiceField(label=_("New status"))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when closing a site."),
    )

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        allowed = site.next_statuses()
        self.fields["to_status"].choices = [
            (value, label) for value, label in SiteStatus.choices if value in allowed
        ]

    def clean_to_status(self) -> str:
        status = self.cleaned_data["to_status"]
        try:
            self.site.check_move(status)
        except ValidationError as error:
            raise ValidationError(error.error_dict["status"]) from None
        return status

    def clean(self):
        data = super().clean()
        if data.get("to_status") == SiteStatus.CLOSED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the site is closed."))
        return data


class SiteServiceForm(forms.ModelForm):
    """A service at a site. The view sets `instance.site` first, so the model's check of the
    services' total floor area against the site's runs here."""

    class Meta:
        model = SiteService
        fields = [
            "service_type",
            "floor_area_m2",
            "daily_capacity",
            "opening_hours",
            "operator",
            "status",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].queryset = ServiceType.objects.active()

    def clean(self):
        data = super().clean()
        service_type = data.get("service_type")
        site = self.instance.site if self.instance.site_id else None
        if service_type and site:
            others = site.services.filter(service_type=service_type)
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error("service_type", _("This site already offers this service."))
        return data


class AreaForm(VersionedModelForm):
    """An area on its page, in the admin and as a row of an import."""

    field_order = ["name", "code"]

    class Meta:
        model = Area
        fields = Area.EDITABLE_FIELDS
        widgets = {
            "centroid_lng": PointPickerWidget(lat_field="centroid_lat", lng_field="centroid_lng"),
            "boundary": BoundaryEditorWidget(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("centroid_lat", "centroid_lng"):
            self.fields[name].widget.attrs.update({"step": "0.000001", "inputmode": "decimal"})
        if "boundary" in self.fields:
            self.fields["boundary"].widget.exclude_pk = self.instance.pk

    def clean_boundary(self):
        """A changed boundary must lie inside the street's outline and overlap no other area,
        beyond the tolerances (sites.boundaries); an unchanged one is left as it is."""
        boundary = self.cleaned_data.get("boundary")
        if boundary and "boundary" in self.changed_data:
            problems = boundary_problems(boundary, area_pk=self.instance.pk)
            if problems:
                raise ValidationError(problems, code="boundary_placement")
        return boundary


class ServiceTypeForm(forms.ModelForm):
    class Meta:
        model = ServiceType
        fields = [
            "code",
            "name_zh",
            "name_en",
            "category",
            "target_group",
            "level",
            "threshold_m",
            "min_floor_area_m2",
            "max_floor_area_m2",
            "threshold_basis",
            "age_band",
            "per_thousand_m2",
            "per_thousand_places",
            "m2_per_place",
            "allowed_premises",
            "needs_ground_floor",
            "needs_outdoor_space",
            "standard",
            "standard_status",
            "sources",
            "confirmed",
            "description",
            "active",
            "order",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    allowed_premises = forms.MultipleChoiceField(
        label=_("premises that may host it"),
        choices=PremisesType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked means any."),
    )
    sources = StrictJSONFormField(
        label=_("sources of the numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=ServiceType._meta.get_field("sources").help_text,
    )

    def clean_sources(self):
        return self.cleaned_data["sources"] or {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Codes are referenced by imports and survey choices: fixed once created.
            self.fields["code"].disabled = True


class ImportForm(forms.Form):
    """An uploaded CSV or XLSX file, bounded in size."""

    EXTENSIONS = {".csv", ".xlsx"}

    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8 or GB18030) or Excel .xlsx, the first row naming the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in self.EXTENSIONS:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        limit = settings.MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s. Split it into smaller files.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload


class BoundaryImportForm(forms.Form):
    """A GeoJSON file of boundaries to preview, or the preview's boundaries posted back to save
    (checked again as if uploaded)."""

    file = forms.FileField(
        label=_("GeoJSON file"),
        required=False,
        help_text=_(
            "A FeatureCollection of Polygons or MultiPolygons (WGS-84), each with a property "
            "code (or name) naming the area."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json"}),
    )
    payload = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("file"):
            try:
                data["text"] = read_upload(data["file"])
            except ValidationError as error:
                self.add_error("file", error)
        elif data.get("payload"):
            data["text"] = data["payload"]
        elif "file" not in self.errors:
            self.add_error("file", _("Choose a GeoJSON file."))
        return data
