"""The Django admin for every sites model, with the point picker on latitude/longitude."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fenglin.admin import LabelledInlineFormSet, ReadableHistoryAdmin, VersionCheckedAdmin
from fenglin.versioning import VersionedModelForm
from sites import network_admin as _network_admin  # noqa: F401  (registers the network admin)
from sites import residential_admin as _residential_admin  # noqa: F401  (registers its admin)
from sites import services
from sites import street_admin as _street_admin  # noqa: F401  (registers the street admin)
from sites.forms import AreaForm
from sites.models import (
    HAZARD_FIELDS,
    Area,
    RouteStop,
    ServiceType,
    Site,
    SiteService,
    SiteStatusChange,
    StaffProfile,
    WalkingRoute,
)
from sites.safety import admin as _safety_admin  # noqa: F401  (registers the safety admin)
from sites.widgets import PointPickerWidget


def _coordinate_attrs(form: forms.ModelForm, *names: str) -> None:
    for name in names:
        if name in form.fields:
            form.fields[name].widget.attrs.update({"step": "0.000001"})


# --- Areas and the catalogue ---------------------------------------------------------------


@admin.register(Area)
class AreaAdmin(VersionCheckedAdmin, ReadableHistoryAdmin):
    form = AreaForm
    list_display = [
        "name",
        "name_en",
        "code",
        "population_total",
        "population_elderly",
        "households",
        "illustrative",
    ]
    list_filter = ["illustrative"]
    search_fields = ["name", "name_en", "code"]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "code", "illustrative", "notes"]}),
        (_("Location"), {"fields": ["centroid_lat", "centroid_lng", "boundary"]}),
        (
            _("Population"),
            {
                "fields": [
                    "population_total",
                    "population_elderly",
                    "population_children_0_6",
                    "population_children_7_14",
                    "population_disabled",
                    "households",
                ]
            },
        ),
    ]


@admin.register(ServiceType)
class ServiceTypeAdmin(ReadableHistoryAdmin):
    list_display = [
        "code",
        "name_zh",
        "name_en",
        "category",
        "target_group",
        "level",
        "threshold_display",
        "floor_area_display",
        "standard_status",
        "confirmed_display",
        "active",
    ]
    list_filter = [
        "confirmed",
        "category",
        "target_group",
        "age_band",
        "level",
        "standard_status",
        "active",
    ]
    search_fields = ["code", "name_zh", "name_en", "standard"]
    ordering = ["order", "code"]

    def _unconfirmed(self, obj: ServiceType, text: str) -> str:
        if obj.confirmed or text == "–":
            return text
        return format_html('{} <strong class="errornote">⚠ {}</strong>', text, _("unconfirmed"))

    @admin.display(description=_("walking threshold"), ordering="threshold_m")
    def threshold_display(self, obj: ServiceType) -> str:
        return self._unconfirmed(obj, f"{obj.threshold_m} m" if obj.threshold_m else "–")

    @admin.display(description=_("floor area"))
    def floor_area_display(self, obj: ServiceType) -> str:
        low, high = obj.min_floor_area_m2, obj.max_floor_area_m2
        if low is not None and high is not None:
            text = f"{low:g}–{high:g} m²"
        elif low is not None:
            text = f"≥ {low:g} m²"
        elif high is not None:
            text = f"≤ {high:g} m²"
        else:
            text = "–"
        return self._unconfirmed(obj, text)

    @admin.display(description=_("numbers confirmed"), boolean=True, ordering="confirmed")
    def confirmed_display(self, obj: ServiceType) -> bool:
        return obj.confirmed


# --- Sites ---------------------------------------------------------------------------------


class SiteAdminForm(VersionedModelForm):
    """The admin may set any status the lifecycle allows: the model checks the step (Site.clean)
    and the save records it (sites.services.update_site). Hazard flags are shown, not edited."""

    class Meta:
        model = Site
        fields = Site.EDITABLE_FIELDS
        widgets = {"longitude": PointPickerWidget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _coordinate_attrs(self, "latitude", "longitude")
        if self.instance.pk is not None and not self.instance.stored_status:
            # A revert from the history starts from an old record: the step is checked from
            # the status stored now.
            stored = Site.objects.filter(pk=self.instance.pk).values_list("status", flat=True)
            self.instance.stored_status = stored.first() or ""


class SiteServiceInline(admin.TabularInline):
    model = SiteService
    formset = LabelledInlineFormSet
    extra = 0
    autocomplete_fields = ["service_type"]
    fields = [
        "service_type",
        "status",
        "floor_area_m2",
        "daily_capacity",
        "opening_hours",
        "operator",
    ]


class SiteStatusChangeInline(admin.TabularInline):
    model = SiteStatusChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "from_status", "to_status", "reason", "changed_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Site)
class SiteAdmin(VersionCheckedAdmin, ReadableHistoryAdmin):
    form = SiteAdminForm
    inlines = [SiteServiceInline, SiteStatusChangeInline]
    list_display = [
        "name",
        "code",
        "status",
        "area",
        "floor_area_m2",
        "hazard_fire",
        "hazard_building",
        "hazard_food",
        "illustrative",
    ]
    list_filter = [
        "status",
        "area",
        "premises_type",
        "hazard_fire",
        "hazard_building",
        "hazard_food",
        "illustrative",
        ("archived_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["name", "name_en", "code", "address"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    readonly_fields = list(HAZARD_FIELDS.values())  # they follow open findings
    fieldsets = [
        (
            None,
            {"fields": ["name", "name_en", "code", "address", "area", "ownership", "illustrative"]},
        ),
        (_("Location"), {"fields": ["latitude", "longitude"]}),
        (_("Status"), {"fields": ["status", "closed_reason"]}),
        (
            _("Size and safety"),
            {
                "fields": [
                    "floor_area_m2",
                    "visitors_per_month",
                    "hazard_fire",
                    "hazard_building",
                    "hazard_food",
                    "notes",
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        # The one save path of the staff pages: area from the coordinates, status steps
        # checked and recorded.
        if change:
            services.update_site(site=obj, user=request.user)
        else:
            services.create_site(site=obj, user=request.user)


@admin.register(SiteService)
class SiteServiceAdmin(ReadableHistoryAdmin):
    list_display = ["site", "service_type", "status", "floor_area_m2", "daily_capacity", "operator"]
    list_filter = ["status", "service_type"]
    search_fields = ["site__name", "service_type__name_zh", "service_type__name_en", "operator"]
    list_select_related = ["site", "service_type"]
    autocomplete_fields = ["site", "service_type"]


@admin.register(SiteStatusChange)
class SiteStatusChangeAdmin(admin.ModelAdmin):
    """The lifecycle record: read-only, written by the status service."""

    list_display = ["site", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status"]
    search_fields = ["site__name", "reason"]
    list_select_related = ["site", "changed_by"]
    readonly_fields = ["site", "from_status", "to_status", "reason", "changed_by", "changed_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "area"]
    list_select_related = ["user", "area"]
    search_fields = ["user__username", "area__name"]
    autocomplete_fields = ["area"]


# --- Walking routes ------------------------------------------------------------------------


class RouteStopForm(forms.ModelForm):
    class Meta:
        model = RouteStop
        fields = ["route", "order", "name", "site", "latitude", "longitude", "description"]
        widgets = {"longitude": PointPickerWidget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _coordinate_attrs(self, "latitude", "longitude")


class RouteStopInline(admin.StackedInline):
    model = RouteStop
    form = RouteStopForm
    extra = 0
    ordering = ["order"]
    autocomplete_fields = ["site"]
    fields = [("order", "name"), "site", "latitude", "longitude", "description"]


@admin.register(WalkingRoute)
class WalkingRouteAdmin(admin.ModelAdmin):
    inlines = [RouteStopInline]
    list_display = ["name_zh", "name_en", "slug", "published"]
    list_filter = ["published"]
    search_fields = ["name_zh", "name_en"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(RouteStop)
class RouteStopAdmin(admin.ModelAdmin):
    form = RouteStopForm
    list_display = ["route", "order", "name", "site"]
    list_select_related = ["route", "site"]
    ordering = ["route", "order"]
    autocomplete_fields = ["site"]
