from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db import router, transaction
from django.forms.models import BaseInlineFormSet
from django.template.defaultfilters import yesno
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from fenglin.versioning import VERSION_FIELD, VersionedModelForm


class FenglinAdminSite(admin.AdminSite):
    site_header = _("Fenglin life-circle planner — administration")
    site_title = _("Fenglin admin")
    index_title = _("Data administration")


class VersionCheckedAdmin:
    """For versioned models (fenglin.versioning): the change form carries the version it was
    loaded with, and a save over someone else's newer save is refused with what changed.

    The check runs in the form's clean(), inside the transaction the admin's change form opens,
    so the row stays locked until the save. Mix in before ModelAdmin; a custom `form` must
    subclass VersionedModelForm.
    """

    form = VersionedModelForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # modelform_factory made a new class: setting attributes on it changes no other form.
        form.check_version_on_clean = True
        if obj is not None and obj.pk is not None:
            # A revert from the history shows an old record: the form starts from the row's
            # version as stored now, which is what the revert overwrites.
            form.stored_version = (
                type(obj)._base_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
            )
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if VERSION_FIELD in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], VERSION_FIELD]}), *rest]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A revert saves like the change form: in one transaction, so the check's lock holds.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)


class LabelledInlineFormSet(BaseInlineFormSet):
    """A tabular inline's formset whose every field is named for screen readers.

    The tabular layout shows each label once, as a column header that no control refers to:
    without a name of its own each input and select is unlabelled (axe: critical). Each gets
    its column's label and the row's number as its accessible name.
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = _("new row") if index is None else index + 1
        for field in form.fields.values():
            if field.label and not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = f"{field.label} ({row})"


def readable_value(field, value):
    """A stored value as people read it: a choice's label, yes / no, "—" for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return yesno(value)
    if getattr(field, "choices", None):
        return dict(field.flatchoices).get(value, value)
    return value


class ReadableHistoryContextHelper(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        return readable_value(self.model._meta.get_field(change.field), value)


class ReadableHistoryAdmin(SimpleHistoryAdmin):
    """simple_history's admin history, with each change shown in words ("运营中", "是",
    "—") rather than as stored ("operating", True, None)."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryContextHelper(self.model, historical_record)
