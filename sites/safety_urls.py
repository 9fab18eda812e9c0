"""Safety inspection pages, inside the `sites` namespace (included by sites/urls.py)."""

from django.urls import path

from sites import safety_views

urlpatterns: list = [
    path("", safety_views.SafetyDashboardView.as_view(), name="safety_dashboard"),
    path("export.<str:fmt>", safety_views.SafetyExportView.as_view(), name="safety_export"),
    path("review/", safety_views.MonthlyReviewView.as_view(), name="monthly_review"),
    path("subtraction/", safety_views.SubtractionReviewView.as_view(), name="subtraction_review"),
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
    path("photos/<id:pk>/", safety_views.InspectionPhotoView.as_view(), name="inspection_photo"),
    path(
        "findings/<id:pk>/close/",
        safety_views.FindingCloseView.as_view(),
        name="finding_close",
    ),
]
