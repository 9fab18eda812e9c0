"""The Django admin for the safety models (registered by sites/admin.py, which imports this).

Findings edited or deleted here move the hazard flags as the safety pages do: every save and
delete ends with `Site.refresh_hazards()` on the sites concerned.
"""

from collections.abc import Iterable

from django.contrib import admin

from sites.models import Site
from sites.safety.models import Finding, Inspection, InspectionPhoto, InspectionRule


def refresh_hazards(site_ids: Iterable[int | None]) -> None:
    for site in Site.objects.filter(pk__in={pk for pk in site_ids if pk is not None}):
        site.refresh_hazards()


class RefreshesHazardsOnDelete(admin.ModelAdmin):
    """Deleting rows (one, or a selection) refreshes the flags of the sites they were on."""

    site_lookup: str  # the path from the model to its site's id

    def delete_model(self, request, obj):
        self.delete_queryset(request, self.model.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        site_ids = list(queryset.values_list(self.site_lookup, flat=True))
        super().delete_queryset(request, queryset)
        refresh_hazards(site_ids)


@admin.register(InspectionRule)
class InspectionRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "mode", "service_type", "interval_months"]
    list_filter = ["kind", "mode"]
    list_select_related = ["service_type"]


class FindingInline(admin.StackedInline):
    model = Finding
    extra = 0
    readonly_fields = ["reviewed_by", "reviewed_at"]


class InspectionPhotoInline(admin.TabularInline):
    model = InspectionPhoto
    extra = 0
    readonly_fields = ["uploaded_at"]
    raw_id_fields = ["finding"]


@admin.register(Inspection)
class InspectionAdmin(RefreshesHazardsOnDelete):
    site_lookup = "site_id"
    inlines = [FindingInline, InspectionPhotoInline]
    list_display = ["site", "kind", "mode", "date", "result", "inspectors"]
    list_filter = ["kind", "mode", "result"]
    search_fields = ["site__name", "inspectors", "notes"]
    date_hierarchy = "date"
    list_select_related = ["site"]
    autocomplete_fields = ["site"]
    readonly_fields = ["recorded_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change and obj.recorded_by_id is None:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # After the findings inline is saved; the site the inspection was moved from too.
        super().save_related(request, form, formsets, change)
        refresh_hazards([form.instance.site_id, form.initial.get("site")])


@admin.register(Finding)
class FindingAdmin(RefreshesHazardsOnDelete):
    site_lookup = "inspection__site_id"
    list_display = ["__str__", "inspection", "rectify_by", "closed_on", "reviewed_by"]
    list_filter = ["closed_on"]
    list_select_related = ["inspection", "inspection__site", "reviewed_by"]
    search_fields = ["description", "inspection__site__name"]
    raw_id_fields = ["inspection"]
    readonly_fields = ["reviewed_by", "reviewed_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        moved_from = form.initial.get("inspection")
        old_site = Inspection.objects.filter(pk=moved_from).values_list("site_id", flat=True)
        refresh_hazards([obj.inspection.site_id, *old_site])


@admin.register(InspectionPhoto)
class InspectionPhotoAdmin(admin.ModelAdmin):
    list_display = ["inspection", "finding", "stage", "image", "uploaded_at"]
    list_select_related = ["inspection", "inspection__site", "finding"]
    raw_id_fields = ["inspection", "finding"]
