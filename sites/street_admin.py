"""The street's outline in the Django admin, drawn on the same map editor as area boundaries."""

from django import forms
from django.contrib import admin

from sites.boundary_editor import BoundaryEditorWidget
from sites.street import Street


class StreetForm(forms.ModelForm):
    class Meta:
        model = Street
        fields = ["name", "boundary", "illustrative"]
        widgets = {"boundary": BoundaryEditorWidget()}


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    form = StreetForm
    list_display = ["name", "illustrative"]

    def has_add_permission(self, request) -> bool:
        # One street: its outline is edited, not added to.
        return super().has_add_permission(request) and not Street.objects.exists()
