from django.urls import include, path

from sites import boundary_views, views
from sites.residential_views import ResidentialExportView, ResidentialImportView
from sites.safety import urls as safety_urls

app_name = "sites"

urlpatterns: list = [
    path("", views.SiteListView.as_view(), name="site_list"),
    path("new/", views.SiteCreateView.as_view(), name="site_create"),
    path("export.<str:fmt>", views.SiteExportView.as_view(), name="site_export"),
    path("import/", views.SiteImportView.as_view(), name="site_import"),
    path("<id:pk>/", views.SiteDetailView.as_view(), name="site_detail"),
    path("<id:pk>/edit/", views.SiteUpdateView.as_view(), name="site_edit"),
    path("<id:pk>/status/", views.SiteStatusView.as_view(), name="site_status"),
    path("<id:pk>/archive/", views.SiteArchiveView.as_view(), name="site_archive"),
    path("<id:pk>/restore/", views.SiteRestoreView.as_view(), name="site_restore"),
    path(
        "<id:site_pk>/services/add/",
        views.SiteServiceCreateView.as_view(),
        name="siteservice_add",
    ),
    path("services/<id:pk>/edit/", views.SiteServiceUpdateView.as_view(), name="siteservice_edit"),
    path(
        "services/<id:pk>/delete/",
        views.SiteServiceDeleteView.as_view(),
        name="siteservice_delete",
    ),
    path("areas/", views.AreaListView.as_view(), name="area_list"),
    path("areas/new/", views.AreaCreateView.as_view(), name="area_create"),
    path("areas/export.<str:fmt>", views.AreaExportView.as_view(), name="area_export"),
    path("areas/import/", views.AreaImportView.as_view(), name="area_import"),
    path("areas/boundaries/", boundary_views.BoundaryReportView.as_view(), name="boundary_report"),
    path(
        "areas/boundaries/import/",
        boundary_views.BoundaryImportView.as_view(),
        name="boundary_import",
    ),
    path(
        "residences/import/",
        ResidentialImportView.as_view(),
        name="residential_import",
    ),
    path(
        "residences/export.<str:fmt>",
        ResidentialExportView.as_view(),
        name="residential_export",
    ),
    path("areas/<id:pk>/", views.AreaDetailView.as_view(), name="area_detail"),
    path("areas/<id:pk>/edit/", views.AreaUpdateView.as_view(), name="area_edit"),
    path("catalogue/", views.ServiceTypeListView.as_view(), name="servicetype_list"),
    path("catalogue/new/", views.ServiceTypeCreateView.as_view(), name="servicetype_create"),
    path("catalogue/<id:pk>/", views.ServiceTypeDetailView.as_view(), name="servicetype_detail"),
    path(
        "catalogue/<id:pk>/edit/",
        views.ServiceTypeUpdateView.as_view(),
        name="servicetype_edit",
    ),
    path("safety/", include(safety_urls.urlpatterns)),
]
