"""Staff pages of neighbourhood boundaries: the street-wide report and the GeoJSON import."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from fenglin.access import StaffRequiredMixin
from sites import boundaries, selectors
from sites.forms import BoundaryImportForm


class BoundaryReportView(StaffRequiredMixin, TemplateView):
    """Every area's boundary: present, inside the street's outline, overlapping which others,
    and how much of the street no area covers."""

    permission_required = "sites.view_area"
    template_name = "sites/boundary_report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = boundaries.street_report(selectors.visible_areas(self.scope))
        context.update(report=report, map_data=boundaries.report_map(report))
        return context


class BoundaryImportView(StaffRequiredMixin, View):
    """Upload a GeoJSON file, see what it would change, then save it all or not at all."""

    permission_required = ("sites.view_area", "sites.change_area")
    template_name = "sites/boundary_import.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.show(BoundaryImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = BoundaryImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.show(form)
        try:
            preview = boundaries.preview_import(
                form.cleaned_data["text"], areas=selectors.visible_areas(self.scope)
            )
        except ValidationError as error:
            form.add_error("file", error)
            return self.show(form)
        if "save" in request.POST and preview.can_save:
            saved = boundaries.save_import(changes=preview.changes, user=request.user)
            messages.success(
                request,
                ngettext("%(count)s boundary was saved.", "%(count)s boundaries were saved.", saved)
                % {"count": saved},
            )
            return HttpResponseRedirect(reverse("sites:boundary_report"))
        confirm = BoundaryImportForm(initial={"payload": preview.payload()})
        return self.show(BoundaryImportForm(), preview=preview, confirm=confirm)

    def show(self, form, **context) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form, **context})
