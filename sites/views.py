"""Staff pages of the sites register: sites, areas, the service catalogue, import and export.

Views stay thin: a form validates, a selector reads, a service writes, a template renders.
"""

import json
from collections.abc import Callable
from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.generic import CreateView, DeleteView, DetailView, FormView, ListView, UpdateView

from fenglin import tabular
from fenglin.access import StaffRequiredMixin
from fenglin.archive import ArchiveView, RestoreView, just_archived
from fenglin.sorting import SortedListMixin
from fenglin.versioning import EditConflict
from sites import imports, selectors, services
from sites.forms import (
    AreaForm,
    ImportForm,
    ServiceTypeForm,
    SiteFilterForm,
    SiteForm,
    SiteServiceForm,
    SiteStatusForm,
)
from sites.models import (
    Area,
    ServiceCategory,
    ServiceStatus,
    ServiceType,
    Site,
    SiteService,
    SiteStatus,
)

EXPORT_FORMATS = ("csv", "xlsx", "geojson")
EXPORT_LABELS = [("csv", "CSV"), ("xlsx", "Excel (XLSX)"), ("geojson", "GeoJSON")]


def add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, next to the field when the form has it."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def geojson_response(filename: str, collection: dict) -> HttpResponse:
    response = HttpResponse(
        json.dumps(collection, ensure_ascii=False), content_type="application/geo+json"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def querystring_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


# --- Sites ---------------------------------------------------------------------------------


class SiteFilterMixin:
    """The filtered sites of the list, shared by the list page and the exports."""

    def filter_form(self) -> SiteFilterForm:
        if not hasattr(self, "_filter_form"):
            self._filter_form = SiteFilterForm(
                self.request.GET or None, areas=selectors.visible_areas(self.scope)
            )
        return self._filter_form

    def filtered_sites(self):
        return selectors.filter_sites(
            selectors.visible_sites(self.scope), **self.filter_form().filters()
        )


class SiteListView(StaffRequiredMixin, SiteFilterMixin, SortedListMixin, ListView):
    permission_required = "sites.view_site"
    template_name = "sites/site_list.html"
    context_object_name = "sites"
    paginate_by = 25
    sort_fields = {
        "name": ["name"],
        "status": ["status_rank"],
        "area": ["area__code"],
        "floor_area": ["floor_area_m2"],
    }
    default_sort = "name"

    def get_queryset(self):
        return self.sort(selectors.site_table(self.filtered_sites()).with_status_rank())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            filter_form=self.filter_form(),
            map_points=selectors.site_map_points(self.filtered_sites()),
            statuses=SiteStatus.choices,
            querystring=querystring_without(self.request, "page"),
            export_formats=EXPORT_LABELS,
            just_archived=just_archived(
                self.request, selectors.visible_sites(self.scope).archived(), "sites:site_restore"
            ),
        )
        return context


class SiteArchiveView(ArchiveView):
    permission_required = "sites.change_site"
    list_url_name = "sites:site_list"
    explanation = _lazy(
        "For a site entered by mistake. A site that really stops is closed instead, with a reason."
    )

    def get_queryset(self):
        return selectors.visible_sites(self.scope).unarchived()

    def archive(self, record: Site) -> None:
        services.archive_site(site=record, user=self.request.user)


class SiteRestoreView(RestoreView):
    permission_required = "sites.change_site"

    def get_queryset(self):
        return selectors.visible_sites(self.scope).archived()

    def restore(self, record: Site) -> None:
        services.restore_site(site=record, user=self.request.user)


class SiteDetailView(StaffRequiredMixin, DetailView):
    permission_required = "sites.view_site"
    template_name = "sites/site_detail.html"
    context_object_name = "site"

    def get_queryset(self):
        return selectors.visible_sites(self.scope).select_related("area")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        site = self.object
        site_services = selectors.site_services(site)
        rings = selectors.neighbourhoods_within(site.latitude, site.longitude)
        widest = rings[-1].areas if rings else []
        used = sum((s.floor_area_m2 or 0) for s in site_services)
        context.update(
            services=site_services,
            services_floor_area=used,
            free_floor_area=(site.floor_area_m2 - used) if site.floor_area_m2 is not None else None,
            rings=rings,
            history=selectors.site_history(site),
            map_data={
                "site": {
                    "name": site.display_name,
                    "lat": float(site.latitude),
                    "lng": float(site.longitude),
                    "status": site.status,
                },
                "rings": [ring.radius_m for ring in rings],
                "areas": [
                    {
                        "name": item.area.name,
                        "lat": float(item.area.centroid_lat),
                        "lng": float(item.area.centroid_lng),
                        "label": f"{round(item.distance_m)} m",
                        "url": item.area.get_absolute_url(),
                    }
                    for item in widest
                ],
            },
            can_move=bool(site.next_statuses()),
        )
        return context


class SiteCreateView(StaffRequiredMixin, CreateView):
    permission_required = "sites.add_site"
    template_name = "sites/site_form.html"
    form_class = SiteForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "areas": selectors.visible_areas(self.scope)}

    def form_valid(self, form):
        site = form.save(commit=False)
        guessed = site.area is None
        self.object = services.create_site(site=site, user=self.request.user)
        messages.success(self.request, _("The site was registered."))
        if guessed and self.object.area is not None:
            messages.info(
                self.request,
                _("Area set from the coordinates: %(area)s. Edit the site to change it.")
                % {"area": self.object.area.name},
            )
        return HttpResponseRedirect(self.object.get_absolute_url())


class SiteUpdateView(StaffRequiredMixin, UpdateView):
    permission_required = "sites.change_site"
    template_name = "sites/site_form.html"
    form_class = SiteForm
    context_object_name = "site"

    def get_queryset(self):
        return selectors.visible_sites(self.scope)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "areas": selectors.visible_areas(self.scope)}

    def form_valid(self, form):
        try:
            self.object = services.update_site(
                site=form.save(commit=False), user=self.request.user, loaded=form.loaded()
            )
        except EditConflict as conflict:
            form.show_conflict(conflict)
            return self.form_invalid(form)
        messages.success(self.request, _("The site was saved."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class SiteStatusView(StaffRequiredMixin, FormView):
    """Move a site along its lifecycle, with a reason (required for closing)."""

    permission_required = "sites.change_site"
    template_name = "sites/site_status_form.html"
    form_class = SiteStatusForm

    @cached_property
    def site(self) -> Site:
        # Looked up after the permission check, so a 404 tells nothing to the unauthorised.
        return get_object_or_404(selectors.visible_sites(self.scope), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "site": self.site}

    def get_context_data(self, **kwargs):
        return super().get_context_data(site=self.site, **kwargs)

    def form_valid(self, form):
        try:
            services.change_site_status(
                site=self.site,
                to_status=form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
                user=self.request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The site is now “%(status)s”.") % {"status": self.site.get_status_display()},
        )
        return HttpResponseRedirect(self.site.get_absolute_url())


class SiteServiceFormMixin:
    template_name = "sites/siteservice_form.html"
    form_class = SiteServiceForm

    def form_valid(self, form):
        try:
            self.object = services.save_site_service(service=form.save(commit=False))
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The service was saved."))
        return HttpResponseRedirect(self.object.site.get_absolute_url())


class SiteServiceCreateView(StaffRequiredMixin, SiteServiceFormMixin, CreateView):
    permission_required = "sites.add_siteservice"

    @cached_property
    def site(self) -> Site:
        return get_object_or_404(selectors.visible_sites(self.scope), pk=self.kwargs["site_pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": SiteService(site=self.site)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(site=self.site, **kwargs)


class SiteServiceUpdateView(StaffRequiredMixin, SiteServiceFormMixin, UpdateView):
    permission_required = "sites.change_siteservice"
    context_object_name = "service"

    def get_queryset(self):
        return SiteService.objects.filter(
            site__in=selectors.visible_sites(self.scope)
        ).select_related("site", "service_type")

    def get_context_data(self, **kwargs):
        return super().get_context_data(site=self.object.site, **kwargs)


class SiteServiceDeleteView(StaffRequiredMixin, DeleteView):
    permission_required = "sites.delete_siteservice"
    template_name = "sites/siteservice_confirm_delete.html"
    context_object_name = "service"

    def get_queryset(self):
        return SiteService.objects.filter(
            site__in=selectors.visible_sites(self.scope)
        ).select_related("site", "service_type")

    def form_valid(self, form):
        site = self.object.site
        services.delete_site_service(service=self.object)
        messages.success(self.request, _("The service was removed from the site."))
        return HttpResponseRedirect(site.get_absolute_url())


class SiteExportView(StaffRequiredMixin, SiteFilterMixin, View):
    """The filtered site list as CSV, XLSX or GeoJSON."""

    permission_required = "sites.view_site"

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if fmt not in EXPORT_FORMATS:
            raise Http404
        sites = self.filtered_sites()
        if fmt == "geojson":
            return geojson_response("sites.geojson", imports.sites_geojson(sites))
        rows = imports.site_rows(sites)
        if fmt == "xlsx":
            return tabular.xlsx_response("sites.xlsx", imports.SITE_COLUMNS, rows)
        return tabular.csv_response("sites.csv", imports.SITE_COLUMNS, rows)


class ImportView(StaffRequiredMixin, FormView):
    """Upload a file; a bad file gets a report of each bad row and saves nothing. Notes on what
    a file leaves aside (columns no longer imported) are shown either way."""

    template_name = "sites/import_form.html"
    form_class = ImportForm
    importer: Callable = None
    columns: list[str] = []
    required: list[str] = []
    kind = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            kind=self.kind, columns=self.columns, required=self.required, **kwargs
        )

    def form_valid(self, form):
        try:
            result = type(self).importer(form.cleaned_data["file"], user=self.request.user)
        except tabular.TableError as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        if not result.ok:
            return self.render_to_response(
                self.get_context_data(form=form, result=result, report=result.errors[:500])
            )
        for note in result.notes:
            messages.info(self.request, note)
        messages.success(
            self.request,
            _("Imported: %(created)s new, %(updated)s updated.")
            % {"created": result.created, "updated": result.updated},
        )
        return HttpResponseRedirect(self.get_success_url())


class SiteImportView(ImportView):
    permission_required = ("sites.add_site", "sites.change_site")
    importer = staticmethod(imports.import_sites)
    columns = imports.SITE_COLUMNS
    required = imports.SITE_REQUIRED
    kind = "sites"

    def get_success_url(self):
        return reverse("sites:site_list")


# --- Areas ---------------------------------------------------------------------------------

# Other apps add sections to the area page (field visits, survey results) without this app
# importing them: `register_area_panel(func)`, where func(request, area) returns None or a
# dict with a "template" to include and whatever that template needs.
AreaPanel = Callable[[HttpRequest, Area], dict | None]
AREA_PANELS: list[AreaPanel] = []


def register_area_panel(panel: AreaPanel) -> AreaPanel:
    if panel not in AREA_PANELS:
        AREA_PANELS.append(panel)
    return panel


class AreaListView(StaffRequiredMixin, SortedListMixin, ListView):
    permission_required = "sites.view_area"
    template_name = "sites/area_list.html"
    context_object_name = "areas"
    paginate_by = 50
    sort_fields = {
        "area": ["code"],
        "population": ["population_total"],
        "elderly": ["population_elderly"],
        "households": ["households"],
        "sites": ["site_count"],
        "operating": ["operating_count"],
    }
    default_sort = "area"

    def get_queryset(self):
        return self.sort(selectors.area_table(selectors.visible_areas(self.scope)))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        areas = list(self.object_list)  # the map and the totals cover every page
        context.update(
            map_points=selectors.area_map_points(areas),
            totals={
                "population": sum(a.population_total or 0 for a in areas),
                "elderly": sum(a.population_elderly or 0 for a in areas),
                "households": sum(a.households or 0 for a in areas),
            },
            export_formats=EXPORT_LABELS,
        )
        return context


class AreaDetailView(StaffRequiredMixin, DetailView):
    permission_required = "sites.view_area"
    template_name = "sites/area_detail.html"
    context_object_name = "area"

    def get_queryset(self):
        return selectors.visible_areas(self.scope)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area = self.object
        sites = list(selectors.area_sites(area))
        residences = list(selectors.residential_points_for(area))
        present, missing = selectors.area_services(area)
        context.update(
            sites=sites,
            residences=residences,
            residences_illustrative=any(home.illustrative for home in residences),
            present=present,
            missing=missing,
            map_data={
                "area": {
                    "name": area.display_name,
                    "lat": float(area.centroid_lat),
                    "lng": float(area.centroid_lng),
                },
                "boundary": area.boundary,
                "sites": [
                    {
                        "name": s.display_name,
                        "lat": float(s.latitude),
                        "lng": float(s.longitude),
                        "status": s.status,
                        "url": s.get_absolute_url(),
                    }
                    for s in sites
                ],
            },
            area_panels=[panel for panel in (f(self.request, area) for f in AREA_PANELS) if panel],
        )
        return context


class AreaCreateView(StaffRequiredMixin, CreateView):
    permission_required = "sites.add_area"
    template_name = "sites/area_form.html"
    form_class = AreaForm

    def form_valid(self, form):
        self.object = services.save_area(area=form.save(commit=False))
        messages.success(self.request, _("The area was saved."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class AreaUpdateView(StaffRequiredMixin, UpdateView):
    permission_required = "sites.change_area"
    template_name = "sites/area_form.html"
    form_class = AreaForm
    context_object_name = "area"

    def get_queryset(self):
        return selectors.visible_areas(self.scope)

    def form_valid(self, form):
        try:
            self.object = services.save_area(area=form.save(commit=False), loaded=form.loaded())
        except EditConflict as conflict:
            form.show_conflict(conflict)
            return self.form_invalid(form)
        messages.success(self.request, _("The area was saved."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class AreaExportView(StaffRequiredMixin, View):
    permission_required = "sites.view_area"

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if fmt not in EXPORT_FORMATS:
            raise Http404
        areas = selectors.visible_areas(self.scope)
        if fmt == "geojson":
            return geojson_response("areas.geojson", imports.areas_geojson(areas))
        rows = imports.area_rows(areas)
        if fmt == "xlsx":
            return tabular.xlsx_response("areas.xlsx", imports.AREA_COLUMNS, rows)
        return tabular.csv_response("areas.csv", imports.AREA_COLUMNS, rows)


class AreaImportView(ImportView):
    permission_required = ("sites.add_area", "sites.change_area")
    importer = staticmethod(imports.import_areas)
    columns = imports.AREA_COLUMNS
    required = imports.AREA_REQUIRED
    kind = "areas"

    def get_success_url(self):
        return reverse("sites:area_list")


# --- The service catalogue -----------------------------------------------------------------


class ServiceTypeListView(StaffRequiredMixin, ListView):
    permission_required = "sites.view_servicetype"
    template_name = "sites/servicetype_list.html"
    context_object_name = "service_types"

    def get_queryset(self):
        return ServiceType.objects.annotate(
            operating_sites=Count(
                "site_services",
                filter=Q(
                    site_services__status=ServiceStatus.OPERATING,
                    site_services__site__status=SiteStatus.OPERATING,
                ),
            )
        ).order_by("category", "order", "code")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        labels = dict(ServiceCategory.choices)
        context["groups"] = [
            (labels.get(category, category), list(items))
            for category, items in groupby(context["service_types"], key=lambda s: s.category)
        ]
        context["unconfirmed"] = sum(1 for s in context["service_types"] if not s.confirmed)
        return context


class ServiceTypeDetailView(StaffRequiredMixin, DetailView):
    permission_required = "sites.view_servicetype"
    template_name = "sites/servicetype_detail.html"
    context_object_name = "service_type"
    model = ServiceType

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        offers = selectors.service_type_sites(self.object, selectors.visible_sites(self.scope))
        context.update(
            offers=offers,
            map_points=[
                {
                    "name": offer.site.name,
                    "lat": float(offer.site.latitude),
                    "lng": float(offer.site.longitude),
                    "status": offer.site.status,
                    "url": offer.site.get_absolute_url(),
                    "label": offer.get_status_display(),
                }
                for offer in offers
            ],
        )
        return context


class ServiceTypeCreateView(StaffRequiredMixin, CreateView):
    permission_required = "sites.add_servicetype"
    template_name = "sites/servicetype_form.html"
    form_class = ServiceTypeForm

    def form_valid(self, form):
        self.object = services.save_service_type(service_type=form.save(commit=False))
        messages.success(self.request, _("The service type was saved."))
        return HttpResponseRedirect(self.object.get_absolute_url())


class ServiceTypeUpdateView(StaffRequiredMixin, UpdateView):
    permission_required = "sites.change_servicetype"
    template_name = "sites/servicetype_form.html"
    form_class = ServiceTypeForm
    model = ServiceType
    context_object_name = "service_type"

    def form_valid(self, form):
        self.object = services.save_service_type(service_type=form.save(commit=False))
        messages.success(self.request, _("The service type was saved."))
        return HttpResponseRedirect(self.object.get_absolute_url())
