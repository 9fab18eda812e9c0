"""Admin for surveys. Definitions keep their change history (simple_history); once a survey has
responses its questions and choices cannot be deleted here (archive them instead), and answers
protect their questions and choices in the database too."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fenglin.admin import VersionCheckedAdmin
from surveys.models import (
    Answer,
    Choice,
    FieldVisit,
    Question,
    QuestionCondition,
    Response,
    Survey,
    SurveyEdition,
)


def _answered(survey: Survey | None) -> bool:
    return survey is not None and survey.pk is not None and survey.responses.exists()


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["order", "kind", "text", "text_en", "required", "archived"]
    extra = 0
    show_change_link = True

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not _answered(obj)


class EditionInline(admin.TabularInline):
    """Editions are recorded by the builder when a published survey's questions change."""

    model = SurveyEdition
    fields = ["number", "created_at", "created_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Survey)
class SurveyAdmin(VersionCheckedAdmin, SimpleHistoryAdmin):
    list_display = ["title", "slug", "status", "opens_at", "closes_at", "one_response_per_device"]
    list_filter = ["status"]
    search_fields = ["title", "title_en", "slug"]
    prepopulated_fields = {"slug": ["title_en"]}
    readonly_fields = ["results_version", "edition", "created_at", "updated_at"]
    inlines = [QuestionInline, EditionInline]


class ChoiceInline(admin.TabularInline):
    model = Choice
    fields = [
        "order",
        "label",
        "label_en",
        "service_type",
        "site",
        "respondent_group",
        "exclusive",
        "archived",
    ]
    autocomplete_fields = []
    extra = 0

    def has_delete_permission(self, request, obj=None) -> bool:
        survey = obj.survey if obj is not None and obj.survey_id else None
        return super().has_delete_permission(request, obj) and not _answered(survey)


class ConditionInline(admin.TabularInline):
    """Skip logic: this question is asked only when these conditions hold (see surveys.logic)."""

    model = QuestionCondition
    fk_name = "question"
    fields = ["source", "operator", "choice", "number"]
    raw_id_fields = ["source", "choice"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(SimpleHistoryAdmin):
    list_display = ["text", "survey", "kind", "order", "required", "archived"]
    list_filter = ["survey", "kind", "archived"]
    search_fields = ["text", "text_en"]
    list_select_related = ["survey"]
    inlines = [ChoiceInline, ConditionInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        survey = obj.survey if obj is not None else None
        return super().has_delete_permission(request, obj) and not _answered(survey)


@admin.register(Choice)
class ChoiceAdmin(SimpleHistoryAdmin):
    list_display = ["label", "question", "service_type", "site", "respondent_group", "archived"]
    list_filter = ["archived", "respondent_group", "question__survey"]
    search_fields = ["label", "label_en"]
    list_select_related = ["question", "service_type", "site"]

    def has_delete_permission(self, request, obj=None) -> bool:
        survey = obj.question.survey if obj is not None else None
        return super().has_delete_permission(request, obj) and not _answered(survey)


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ["question", "choice", "number", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Responses are read here; they are created by residents or by the paper-entry page."""

    list_display = ["pk", "survey", "channel", "area", "submitted_at", "entered_by"]
    list_filter = ["survey", "channel", "area", "has_elderly", "has_children"]
    list_select_related = ["survey", "area", "entered_by"]
    date_hierarchy = "submitted_at"
    readonly_fields = [
        "survey",
        "channel",
        "area",
        "latitude",
        "longitude",
        "submitted_at",
        "idempotency_key",
        "entered_by",
        "paper_reference",
        "edition",
        "has_elderly",
        "has_children",
        "has_disabled",
    ]
    exclude = ["client_hash", "device_hash"]
    inlines = [AnswerInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FieldVisit)
class FieldVisitAdmin(admin.ModelAdmin):
    list_display = ["date", "area", "site", "residents_count", "recorded_by"]
    list_filter = ["area"]
    list_select_related = ["area", "site", "recorded_by"]
    filter_horizontal = ["needs"]
    date_hierarchy = "date"
