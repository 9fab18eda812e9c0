"""Archiving instead of deleting: a record entered by mistake, or no longer wanted, is hidden
from its list but kept with its history, and one click brings it back.

Each app's service archives its own records with `set_archived` (so the history row says so);
the views here are the confirmation page, the POST that archives, and the undo.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView
from django.views.generic.detail import SingleObjectMixin

from fenglin.access import StaffRequiredMixin

UNDO_PARAMETER = "undo"


def set_archived(record: models.Model, *, archived: bool, user=None) -> None:
    """Archive or restore a record that has `archived_at` and simple_history's history: one
    save, so the history shows who did it, when, and why ("archived" / "restored")."""
    record.archived_at = timezone.now() if archived else None
    record._change_reason = "archived" if archived else "restored"
    if user is not None and user.is_authenticated:
        record._history_user = user
    fields = ["archived_at"]
    if any(field.name == "updated_at" for field in record._meta.concrete_fields):
        fields.append("updated_at")
    record.save(update_fields=fields)


def label(record: models.Model) -> str:
    for attribute in ("display_name", "display_title"):
        if hasattr(record, attribute):
            return getattr(record, attribute)
    return str(record)


class ArchiveView(StaffRequiredMixin, DetailView):
    """GET: what archiving means, and a button; POST: archive, then back to the list, which
    offers to undo. Subclasses set the queryset (records not archived yet), `list_url_name`,
    `restore_url_name` and `archive(record)`, which calls the app's service."""

    template_name = "archive_confirm.html"
    context_object_name = "record"
    list_url_name = ""
    restore_url_name = ""
    explanation = ""

    def archive(self, record: models.Model) -> None:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            name=label(self.object),
            explanation=self.explanation,
            verbose_name=self.object._meta.verbose_name,
        )
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.object = record = self.get_object()
        try:
            self.archive(record)
        except ValidationError as error:
            context = self.get_context_data(object=record, errors=error.messages)
            return self.render_to_response(context, status=400)
        return HttpResponseRedirect(f"{reverse(self.list_url_name)}?{UNDO_PARAMETER}={record.pk}")


class RestoreView(StaffRequiredMixin, SingleObjectMixin, View):
    """POST only: bring an archived record back, then show it. Subclasses set the queryset
    (archived records) and `restore(record)`."""

    http_method_names = ["post"]

    def restore(self, record: models.Model) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        record = self.get_object()
        self.restore(record)
        messages.success(request, _("“%(name)s” is back in the list.") % {"name": label(record)})
        return redirect(record)


def just_archived(request: HttpRequest, archived: models.QuerySet, restore_url_name: str):
    """For a list page after an archive: the record named by `?undo=`, with its undo URL (None
    when there is none, or it was restored meanwhile). One query, only when asked."""
    pk = request.GET.get(UNDO_PARAMETER, "")
    if not pk.isdigit():
        return None
    record = archived.filter(pk=int(pk)).first()
    if record is None:
        return None
    return {"name": label(record), "url": reverse(restore_url_name, args=[record.pk])}
