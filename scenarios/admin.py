from django.contrib import admin

from fenglin.admin import LabelledInlineFormSet, ReadableHistoryAdmin, VersionCheckedAdmin
from scenarios.models import (
    OptimisationRun,
    PremisesOverride,
    Scenario,
    ScenarioAddition,
    ScenarioResult,
)


class AdditionInline(admin.TabularInline):
    formset = LabelledInlineFormSet
    model = ScenarioAddition
    extra = 0
    raw_id_fields = ["site", "service_type"]


@admin.register(Scenario)
class ScenarioAdmin(VersionCheckedAdmin, ReadableHistoryAdmin):
    list_display = ["name", "name_en", "created_by", "created_at", "updated_at"]
    search_fields = ["name", "name_en", "description"]
    filter_horizontal = ["surveys", "closed_sites"]
    inlines = [AdditionInline]
    readonly_fields = ["created_by", "created_at", "updated_at"]


@admin.register(ScenarioResult)
class ScenarioResultAdmin(admin.ModelAdmin):
    list_display = ["scenario", "service_type", "computed_at", "fingerprint"]
    list_filter = ["service_type"]
    readonly_fields = ["scenario", "service_type", "fingerprint", "metrics", "computed_at"]

    def has_add_permission(self, request) -> bool:
        return False  # results are computed, never typed in


@admin.register(OptimisationRun)
class OptimisationRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "scenario", "model", "service_type", "status", "progress", "created_at"]
    list_filter = ["status", "model"]
    readonly_fields = [
        "status",
        "stage",
        "progress",
        "task_result_id",
        "summary",
        "error",
        "result_scenario",
        "created_by",
        "created_at",
        "started_at",
        "heartbeat_at",
        "lost",
        "finished_at",
    ]


@admin.register(PremisesOverride)
class PremisesOverrideAdmin(ReadableHistoryAdmin):
    list_display = ["site", "service_type", "allowed", "reason", "decided_by", "decided_at"]
    list_filter = ["allowed", "service_type"]
    raw_id_fields = ["site"]
    readonly_fields = ["decided_by", "decided_at"]
