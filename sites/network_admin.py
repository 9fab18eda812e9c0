"""The walking network's versions in the Django admin, read-only: versions come from the
import_network command, never from a form (the lines are megabytes of JSON)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sites.walking import WalkingNetwork


@admin.register(WalkingNetwork)
class WalkingNetworkAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "imported_at",
        "segment_count",
        "length_display",
        "is_active",
        "illustrative",
    ]
    list_filter = ["is_active", "illustrative"]
    search_fields = ["name", "source_name"]
    list_select_related = ["imported_by"]
    fields = [
        "name",
        "source_name",
        "imported_at",
        "imported_by",
        "illustrative",
        "segment_count",
        "length_display",
        "is_active",
        "digest",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).without_lines()

    @admin.display(description=_("total length"), ordering="length_m")
    def length_display(self, obj: WalkingNetwork) -> str:
        return f"{obj.length_m / 1000:,.2f} km"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
