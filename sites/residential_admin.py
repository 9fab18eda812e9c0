"""Residential points in the Django admin: list, search, filter by area, edit with the point
picker. Files are imported on the staff import page (sites:residential_import)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sites import residential_services
from sites.residential import ResidentialPoint
from sites.widgets import PointPickerWidget


class ResidentialPointAdminForm(forms.ModelForm):
    class Meta:
        model = ResidentialPoint
        fields = ResidentialPoint.EDITABLE_FIELDS
        widgets = {"longitude": PointPickerWidget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update({"step": "0.000001"})


@admin.register(ResidentialPoint)
class ResidentialPointAdmin(admin.ModelAdmin):
    form = ResidentialPointAdminForm
    list_display = [
        "name",
        "name_en",
        "code",
        "kind",
        "area",
        "population_total",
        "population_elderly",
        "households",
        "illustrative",
    ]
    list_filter = ["area", "kind", "illustrative"]
    search_fields = ["name", "name_en", "code"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "code", "kind", "area", "illustrative"]}),
        (_("Location"), {"fields": ["latitude", "longitude"]}),
        (
            _("Residents"),
            {
                "fields": [
                    "households",
                    "population_total",
                    "population_elderly",
                    "population_children_0_6",
                    "population_children_7_14",
                    "population_disabled",
                    "notes",
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        # The one save path: a point left without an area gets the one it lies in.
        residential_services.save_residential_point(point=obj)
