"""Optimistic version checks: an edit saved over someone else's newer save is refused, not lost.

Every save() of a versioned model moves its `version` on, in the UPDATE itself, and
django-simple-history records the row with that number. An edit form carries the version it was
loaded with (a hidden field); saving it goes through `ensure_unchanged`, which locks the row and,
when the version has moved on, compares the history record of the loaded version with the row
as stored now, over the fields that form edits. Only those fields count: a status moved on its
own page, a hazard flag raised by an inspection the form does not show, a results counter or a
timestamp bumped with a bulk update do not make a form stale (the save keeps them as stored
now); a change to any field on the form refuses the save with what changed, who and when.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F
from django.utils import formats, timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

VERSION_FIELD = "loaded_version"
# The form refuses larger numbers before they reach the database (an int column).
MAX_VERSION = 2**31 - 1


class VersionedModel(models.Model):
    """A model whose `version` counts its saves (queryset.update() leaves it alone)."""

    version = models.PositiveIntegerField(gettext_lazy("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        nothing_to_update = update_fields is not None and not update_fields
        if self._state.adding or kwargs.get("force_insert") or nothing_to_update:
            super().save(*args, **kwargs)
            return
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        previous = self.__dict__.get("version")
        # Incremented by the database, so two saves never write the same number; the new value
        # comes back (RETURNING) before the history record copies it.
        self.version = F("version") + 1
        try:
            super().save(*args, **kwargs)
        except BaseException:
            if previous is None:
                self.__dict__.pop("version", None)  # read again from the database when asked
            else:
                self.version = previous
            raise


@dataclass(frozen=True)
class Loaded:
    """What an edit form was loaded with: the record's version then, and the fields it edits."""

    version: int | None
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Change:
    """A field someone else changed since the form was loaded, as it is now."""

    field: str
    label: str
    value: str
    who: str
    when: datetime | None


class EditConflict(ValidationError):
    """Someone else saved the record after the form was loaded; nothing was saved.

    `version` is the version the save was refused against: a form that carries it saves over
    the other person's values when sent again, deliberately, after its user has read the list.
    """

    def __init__(
        self,
        *,
        record: models.Model,
        changes: Sequence[Change],
        version: int,
        deleted: bool = False,
    ) -> None:
        self.changes = list(changes)
        self.version = version
        if deleted:
            messages = [
                _("Someone else deleted this %(thing)s after you opened it: nothing was saved.")
                % {"thing": record._meta.verbose_name}
            ]
        else:
            messages = _conflict_messages(record, self.changes)
        super().__init__(messages)


def ensure_unchanged(instance: VersionedModel, loaded: Loaded | None) -> None:
    """Refuse the save (EditConflict) when a field the form edits was saved by someone else
    since the form was loaded. Call inside the transaction that saves: the row stays locked.

    The instance's other columns are set from the locked row, so the save keeps whatever was
    stored meanwhile in fields the form does not edit. Without a loaded version (a create, or a
    client that did not send one) there is nothing to check.
    """
    if loaded is None or loaded.version is None or instance.pk is None:
        return
    model = type(instance)
    current = model._base_manager.select_for_update().filter(pk=instance.pk).first()
    if current is None:
        raise EditConflict(record=instance, changes=[], version=loaded.version, deleted=True)
    if current.version != loaded.version:
        changes = _changes_since(current, loaded)
        if changes is None or changes:
            raise EditConflict(record=current, changes=changes or [], version=current.version)
    edited = set(loaded.fields)
    for field in model._meta.concrete_fields:
        if not field.primary_key and field.name not in edited:
            setattr(instance, field.attname, getattr(current, field.attname))


def _history_of(model: type[models.Model]):
    return getattr(model, model._meta.simple_history_manager_attribute)


def _changes_since(current: VersionedModel, loaded: Loaded) -> list[Change] | None:
    """The form's fields that differ between the record of the loaded version and the row now,
    each with the last person who changed it; None when the history has no such record."""
    model = type(current)
    history = _history_of(model)
    records = list(
        history.filter(**{model._meta.pk.attname: current.pk, "version__gte": loaded.version})
        .select_related("history_user")
        .order_by("history_id")
    )
    at_loaded = [i for i, record in enumerate(records) if record.version == loaded.version]
    if not at_loaded:
        return None
    base, later = records[at_loaded[-1]], records[at_loaded[-1] + 1 :]
    tracked = _tracked_fields(model, history.model, loaded.fields)
    changes = []
    for name in tracked:
        if _value(model, base, name) == _value(model, current, name):
            continue
        who, when, previous = None, None, base
        for record in later:
            if _value(model, record, name) != _value(model, previous, name):
                who, when = record.history_user, record.history_date
            previous = record
        changes.append(
            Change(
                field=name,
                label=str(capfirst(model._meta.get_field(name).verbose_name)),
                value=readable_value(current, name),
                who=_person(who) if when else "",
                when=when,
            )
        )
    return changes


def _tracked_fields(model, history_model, names: Sequence[str]) -> list[str]:
    """The names the history can compare: its own columns and the many-to-many it records."""
    m2m = {field.name for field in getattr(history_model, "_history_m2m_fields", [])}
    tracked = []
    for name in names:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.many_to_many:
            if name in m2m:
                tracked.append(name)
            continue
        try:
            history_model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        tracked.append(name)
    return tracked


def _value(model: type[models.Model], obj, name: str):
    """A field's value on the row or on a history record, comparable between the two."""
    field = model._meta.get_field(name)
    if not field.many_to_many:
        return getattr(obj, field.attname)
    related = getattr(obj, name)
    if isinstance(obj, model):
        return frozenset(related.values_list("pk", flat=True))
    # A history record's rows name the related record by the through table's field.
    return frozenset(related.values_list(field.m2m_reverse_field_name(), flat=True))


def readable_value(instance: models.Model, name: str) -> str:
    """A field's value as a person reads it: choice labels, names of related records."""
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(str(item) for item in getattr(instance, name).all()) or _("(empty)")
    value = getattr(instance, field.attname)
    if value is None or value == "":
        return _("(empty)")
    if field.is_relation:
        return str(getattr(instance, name))
    if field.choices:
        return str(instance._get_FIELD_display(field))
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, models.DateTimeField):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(field, models.JSONField):
        value = json.dumps(value, ensure_ascii=False)
    return Truncator(str(value)).chars(80)


def _person(user) -> str:
    if user is None:
        return _("someone else")
    return user.get_full_name() or user.get_username()


def _when(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _conflict_messages(record: models.Model, changes: Sequence[Change]) -> list[str]:
    lines = [
        _("Someone else saved this %(thing)s after you opened it, so your changes were not saved.")
        % {"thing": record._meta.verbose_name}
    ]
    for change in changes:
        if change.when:
            lines.append(
                _("%(field)s is now “%(value)s” (changed by %(who)s, %(when)s).")
                % {
                    "field": change.label,
                    "value": change.value,
                    "who": change.who,
                    "when": _when(change.when),
                }
            )
        else:
            lines.append(
                _("%(field)s is now “%(value)s”.") % {"field": change.label, "value": change.value}
            )
    if not changes:
        last = (
            _history_of(type(record))
            .filter(**{record._meta.pk.attname: record.pk})
            .select_related("history_user")
            .order_by("-history_id")
            .first()
        )
        if last is not None:
            lines.append(
                _("Last saved by %(who)s, %(when)s.")
                % {"who": _person(last.history_user), "when": _when(last.history_date)}
            )
    lines.append(
        _(
            "Your entries are kept below. Compare them with the values above: saving again "
            "replaces those values with yours; reloading the page starts again from them."
        )
    )
    return lines


class VersionedModelForm(forms.ModelForm):
    """A model form that carries the version its record was loaded with.

    Staff pages pass `loaded()` to their update service, which calls `ensure_unchanged` and
    raises EditConflict; the view shows it with `show_conflict`. The admin sets
    `check_version_on_clean`, so the check runs in `clean()`, inside the change form's
    transaction (fenglin.admin.VersionCheckedAdmin).
    """

    loaded_version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=MAX_VERSION
    )
    check_version_on_clean = False
    # The version the form starts from when it is not the instance's own (an admin revert).
    stored_version: int | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            version = self.stored_version
            self.fields[VERSION_FIELD].initial = (
                self.instance.version if version is None else version
            )

    def edited_fields(self) -> tuple[str, ...]:
        opts = self._meta.model._meta
        names = {f.name for f in [*opts.concrete_fields, *opts.many_to_many]}
        return tuple(
            name for name, field in self.fields.items() if name in names and not field.disabled
        )

    def loaded(self) -> Loaded | None:
        """The version and fields to check, for an edit (None for a new record)."""
        if self.instance.pk is None or self.instance._state.adding:
            return None
        return Loaded(version=self.cleaned_data.get(VERSION_FIELD), fields=self.edited_fields())

    def show_conflict(self, conflict: EditConflict) -> None:
        """List the conflict on top of the form, which now carries the version it met: saving
        it again is a deliberate choice made after reading what changed."""
        self.add_error(None, conflict)
        self.data = self.data.copy()
        self.data[self.add_prefix(VERSION_FIELD)] = str(conflict.version)

    def clean(self):
        data = super().clean()
        if self.has_error(VERSION_FIELD):
            # A damaged hidden field has no place to show its error: say it on top.
            del self._errors[VERSION_FIELD]
            raise ValidationError(
                _(
                    "This form's version mark is damaged: reload the page and make your changes "
                    "again."
                )
            )
        if self.check_version_on_clean:
            try:
                ensure_unchanged(self.instance, self.loaded())
            except EditConflict as conflict:
                self.data = self.data.copy()
                self.data[self.add_prefix(VERSION_FIELD)] = str(conflict.version)
                raise
        return data
