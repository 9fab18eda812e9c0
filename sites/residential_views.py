"""Staff pages of residential points: import from a file and export. Points are listed and
edited in the admin; an area's page shows its own (sites.views.AreaDetailView)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views import View

from fenglin import tabular
from fenglin.access import StaffRequiredMixin
from sites import residential_imports
from sites.models import ResidentialPoint
from sites.views import EXPORT_FORMATS, ImportView, geojson_response


class ResidentialImportView(ImportView):
    permission_required = ("sites.add_residentialpoint", "sites.change_residentialpoint")
    form_class = residential_imports.ResidentialFileForm
    importer = staticmethod(residential_imports.import_residential_points)
    columns = residential_imports.RESIDENTIAL_COLUMNS
    required = residential_imports.RESIDENTIAL_REQUIRED
    kind = "residences"

    def get_success_url(self):
        return reverse("sites:area_list")


class ResidentialExportView(StaffRequiredMixin, View):
    """Every residential point as CSV, XLSX or GeoJSON, in the columns the import reads."""

    permission_required = "sites.view_residentialpoint"

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if fmt not in EXPORT_FORMATS:
            raise Http404
        points = ResidentialPoint.objects.all()
        if fmt == "geojson":
            collection = residential_imports.residential_geojson(points)
            return geojson_response("residential-points.geojson", collection)
        header, rows = (
            residential_imports.RESIDENTIAL_COLUMNS,
            residential_imports.residential_rows(points),
        )
        if fmt == "xlsx":
            return tabular.xlsx_response("residential-points.xlsx", header, rows)
        return tabular.csv_response("residential-points.csv", header, rows)
