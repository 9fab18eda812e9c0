"""Safety pages: the inspectors' today page and its lists, the dashboard, recording inspections
and findings, closing findings, exports and a site's safety record. (The monthly and
subtraction reviews are planning pages: scenarios.review_views.)

Inspectors record and close; planners and viewers read; everyone else gets 403.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView

from fenglin import tabular
from fenglin.access import StaffRequiredMixin
from sites import selectors
from sites.models import Site, SiteStatus
from sites.safety import selectors as safety_selectors
from sites.safety import services as safety_services
from sites.safety.forms import (
    PHOTO_CONTENT_TYPES,
    FindingCloseForm,
    FindingForm,
    FindingFormSet,
    InspectionForm,
    SafetyFilterForm,
)
from sites.safety.models import Finding, InspectionKind, InspectionMode, InspectionPhoto
from sites.safety.schedules import shanghai_today
from sites.views import add_errors

VIEW = "sites.view_inspection"
EXPORT_FORMATS = ("csv", "xlsx")
PAGE_SIZE = 50
# The submit button that saves the inspection and opens the form for one more finding: the
# way to add findings without JS.
ADD_ANOTHER = "add_finding"


class SafetyFilterMixin(StaffRequiredMixin):
    """The area, kind and check-type filters of the today page and its lists, within the
    sites the user may see (committee staff: their area only)."""

    permission_required = VIEW

    @cached_property
    def filter_form(self) -> SafetyFilterForm:
        return SafetyFilterForm(self.request.GET or None, areas=selectors.visible_areas(self.scope))

    @cached_property
    def sites(self):
        return selectors.visible_sites(self.scope)

    @cached_property
    def today(self) -> date:
        return shanghai_today()

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, today=self.today, **kwargs)


class SafetyTodayView(SafetyFilterMixin, TemplateView):
    """The inspectors' start page: overdue findings and checks first, then this week's."""

    template_name = "safety/today.html"

    def get_context_data(self, **kwargs):
        board = safety_selectors.today_board(
            self.sites, self.filter_form.filters(), today=self.today
        )
        return super().get_context_data(board=board, **kwargs)


class SafetyCheckListView(SafetyFilterMixin, TemplateView):
    """Checks due, in pages: overdue, due this week, or due within 30 days (the default)."""

    template_name = "safety/check_list.html"

    def get_context_data(self, **kwargs):
        state = self.request.GET.get("state")
        state = state if state in safety_selectors.CHECK_STATES else "upcoming"
        dues = safety_selectors.check_list(
            self.sites, self.filter_form.filters(), state, today=self.today
        )
        page = Paginator(dues, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(state=state, page_obj=page, **kwargs)


class SafetyFindingListView(SafetyFilterMixin, TemplateView):
    """Open findings, in pages: past their deadline, due this week, or all (the default)."""

    template_name = "safety/finding_list.html"

    def get_context_data(self, **kwargs):
        state = self.request.GET.get("state")
        state = state if state in safety_selectors.FINDING_STATES else "open"
        findings = safety_selectors.finding_list(
            self.sites, self.filter_form.filters(), state, today=self.today
        )
        page = Paginator(findings, PAGE_SIZE).get_page(self.request.GET.get("page"))
        page.object_list = safety_selectors.with_days(page.object_list, self.today)
        return super().get_context_data(state=state, page_obj=page, **kwargs)


class SafetyDashboardView(StaffRequiredMixin, TemplateView):
    """Figures over the sites the user may see: counts by kind, ages, months, the rules."""

    permission_required = VIEW
    template_name = "safety/dashboard.html"

    def get_context_data(self, **kwargs):
        board = safety_selectors.dashboard(sites=selectors.visible_sites(self.scope))
        return super().get_context_data(board=board, export_formats=EXPORT_FORMATS, **kwargs)


class SafetyExportView(StaffRequiredMixin, View):
    """Every inspection record as CSV or XLSX, one row per inspection."""

    permission_required = VIEW

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if fmt not in EXPORT_FORMATS:
            raise Http404
        records = safety_selectors.inspection_records(selectors.visible_sites(self.scope))
        rows = safety_selectors.export_rows(records)
        columns = safety_selectors.EXPORT_COLUMNS
        if fmt == "xlsx":
            return tabular.xlsx_response("inspections.xlsx", columns, rows)
        return tabular.csv_response("inspections.csv", columns, rows)


class SiteSafetyView(StaffRequiredMixin, DetailView):
    """A site's safety record: what it owes, its inspections and open findings."""

    permission_required = VIEW
    template_name = "safety/site_safety.html"
    context_object_name = "site"

    def get_queryset(self):
        return selectors.visible_sites(self.scope).select_related("area")

    def get_context_data(self, **kwargs):
        today = shanghai_today()
        return super().get_context_data(
            safety=safety_selectors.site_safety(self.object, today=today), today=today, **kwargs
        )


class InspectionCreateView(StaffRequiredMixin, FormView):
    """Record an inspection of a site with its findings and photos, all or nothing."""

    permission_required = ("sites.add_inspection", "sites.add_finding")
    template_name = "safety/inspection_form.html"
    form_class = InspectionForm

    # Looked up on first use, after the permission check: someone who may not record
    # inspections gets 403 whether the site exists or not.
    @cached_property
    def site(self) -> Site:
        return get_object_or_404(
            selectors.visible_sites(self.scope).exclude(status=SiteStatus.CLOSED),
            pk=self.kwargs["site_pk"],
        )

    @cached_property
    def today(self) -> date:
        return shanghai_today()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "today": self.today}

    def get_initial(self):
        # The dashboard's "Record" links name the kind and mode that are due.
        initial = super().get_initial()
        for name, choices in (("kind", InspectionKind.values), ("mode", InspectionMode.values)):
            if self.request.GET.get(name) in choices:
                initial[name] = self.request.GET[name]
        return initial

    def get_context_data(self, **kwargs):
        kwargs.setdefault("formset", FindingFormSet(prefix="findings"))
        return super().get_context_data(site=self.site, **kwargs)

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        form_ok = form.is_valid()
        formset = FindingFormSet(
            request.POST,
            request.FILES,
            prefix="findings",
            inspection_date=form.cleaned_data.get("date") if form_ok else None,
        )
        if not (form_ok and formset.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        data = form.cleaned_data
        try:
            inspection = safety_services.record_inspection(
                site=self.site,
                kind=data["kind"],
                mode=data["mode"],
                date=data["date"],
                inspectors=data["inspectors"],
                result=data["result"],
                notes=data["notes"],
                findings=formset.new_findings(),
                photos=data["photos"],
                user=request.user,
                today=self.today,
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        messages.success(request, _("The inspection was recorded."))
        if request.POST.get(ADD_ANOTHER):
            return HttpResponseRedirect(
                reverse("sites:inspection_add_finding", args=[inspection.pk])
            )
        return HttpResponseRedirect(reverse("sites:inspection_detail", args=[inspection.pk]))


class FindingCreateView(StaffRequiredMixin, FormView):
    """One more finding, with its photos, for a recorded inspection."""

    permission_required = "sites.add_finding"
    template_name = "safety/finding_form.html"
    form_class = FindingForm

    # Looked up after the permission check, as InspectionCreateView.site is.
    @cached_property
    def inspection(self):
        return get_object_or_404(
            safety_selectors.inspection_records(selectors.visible_sites(self.scope)),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(inspection=self.inspection, **kwargs)

    def form_valid(self, form):
        try:
            safety_services.add_finding(inspection=self.inspection, finding=form.new_finding())
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The finding was added."))
        if self.request.POST.get(ADD_ANOTHER):
            return HttpResponseRedirect(self.request.path)
        return HttpResponseRedirect(reverse("sites:inspection_detail", args=[self.inspection.pk]))


class InspectionDetailView(StaffRequiredMixin, DetailView):
    permission_required = VIEW
    template_name = "safety/inspection_detail.html"
    context_object_name = "inspection"

    def get_queryset(self):
        return safety_selectors.inspection_records(
            selectors.visible_sites(self.scope)
        ).select_related("site__area")

    def get_context_data(self, **kwargs):
        return super().get_context_data(today=shanghai_today(), **kwargs)


class InspectionPhotoView(StaffRequiredMixin, View):
    """A photo, only for staff who may see inspections (media files are not public)."""

    permission_required = VIEW

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        photo = get_object_or_404(
            InspectionPhoto.objects.filter(
                inspection__site__in=selectors.visible_sites(self.scope)
            ),
            pk=pk,
        )
        suffix = photo.image.name.rsplit(".", 1)[-1].lower()
        try:
            handle = photo.image.open("rb")
        except FileNotFoundError as error:
            raise Http404 from error
        response = FileResponse(
            handle, content_type=PHOTO_CONTENT_TYPES.get(suffix, "application/octet-stream")
        )
        response["Cache-Control"] = "private, max-age=3600"
        return response


class FindingCloseView(StaffRequiredMixin, FormView):
    permission_required = "sites.change_finding"
    template_name = "safety/finding_close.html"
    form_class = FindingCloseForm

    # Looked up after the permission check, as InspectionCreateView.site is.
    @cached_property
    def finding(self) -> Finding:
        return get_object_or_404(
            Finding.objects.filter(
                inspection__site__in=selectors.visible_sites(self.scope)
            ).select_related("inspection__site"),
            pk=self.kwargs["pk"],
        )

    @cached_property
    def today(self) -> date:
        return shanghai_today()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "today": self.today}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            finding=self.finding, inspection=self.finding.inspection, **kwargs
        )

    def form_valid(self, form):
        try:
            safety_services.close_finding(
                finding=self.finding,
                closed_on=form.cleaned_data["closed_on"],
                closure_notes=form.cleaned_data["closure_notes"],
                photos=form.cleaned_data["photos"],
                user=self.request.user,
                today=self.today,
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The finding was closed."))
        return HttpResponseRedirect(
            reverse("sites:inspection_detail", args=[self.finding.inspection_id])
        )
