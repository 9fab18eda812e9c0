"""Safety inspection pages, inside the `sites` namespace (included by sites/urls.py).

The monthly and subtraction reviews under the same /sites/safety/ prefix are planning pages:
scenarios/review_urls.py.
"""

from django.urls import path

from sites.safety import views as safety_views

urlpatterns: list = [
    path("", safety_views.SafetyDashboardView.as_view(), name="safety_dashboard"),
    path("today/", safety_views.SafetyTodayView.as_view(), name="safety_today"),
    path("checks/", safety_views.SafetyCheckListView.as_view(), name="safety_checks"),
    path("findings/", safety_views.SafetyFindingListView.as_view(), name="safety_findings"),
    path("export.<str:fmt>", safety_views.SafetyExportView.as_view(), name="safety_export"),
    path("sites/<id:pk>/", safety_views.SiteSafetyView.as_view(), name="site_safety"),
    path(
        "sites/<id:site_pk>/inspect/",
        safety_views.InspectionCreateView.as_view(),
        name="inspection_create",
    ),
    path(
        "inspections/<id:pk>/",
        safety_views.InspectionDetailView.as_view(),
        name="inspection_detail",
    ),
    path(
        "inspections/<id:pk>/findings/new/",
        safety_views.FindingCreateView.as_view(),
        name="inspection_add_finding",
    ),
    path("photos/<id:pk>/", safety_views.InspectionPhotoView.as_view(), name="inspection_photo"),
    path(
        "findings/<id:pk>/close/",
        safety_views.FindingCloseView.as_view(),
        name="finding_close",
    ),
]
