"""Staff pages of the surveys app, mounted at /surveys/."""

from django.urls import path

from surveys import builder_views, offline, results_views, views

app_name = "surveys"

urlpatterns = [
    path("", views.survey_list, name="survey_list"),
    path("new/", views.survey_create, name="survey_create"),
    path("<id:pk>/", views.survey_detail, name="survey_detail"),
    path("<id:pk>/edit/", views.survey_edit, name="survey_edit"),
    path("<id:pk>/status/", views.survey_status, name="survey_status"),
    path("<id:pk>/archive/", views.SurveyArchiveView.as_view(), name="survey_archive"),
    path("<id:pk>/restore/", views.SurveyRestoreView.as_view(), name="survey_restore"),
    path("<id:pk>/preview/", views.survey_preview, name="survey_preview"),
    path("<id:pk>/results/", views.survey_results, name="survey_results"),
    path("<id:pk>/export.csv", views.survey_export, {"fmt": "csv"}, name="survey_export_csv"),
    path("<id:pk>/export.xlsx", views.survey_export, {"fmt": "xlsx"}, name="survey_export_xlsx"),
    path(
        "<id:pk>/demand.csv", results_views.demand_export, {"fmt": "csv"}, name="demand_export_csv"
    ),
    path(
        "<id:pk>/demand.xlsx",
        results_views.demand_export,
        {"fmt": "xlsx"},
        name="demand_export_xlsx",
    ),
    path("<id:pk>/results/text/", results_views.text_answer_list, name="text_answers"),
    path("<id:pk>/results/text.csv", results_views.text_answer_export, name="text_answers_export"),
    path("<id:pk>/poster/", results_views.qr_poster, name="survey_poster"),
    path("<id:pk>/paper/", views.paper_entry, name="paper_entry"),
    path("<id:pk>/paper/sw.js", offline.paper_service_worker, name="paper_sw"),
    path("<id:pk>/responses/", views.response_list, name="response_list"),
    path("<id:survey_pk>/responses/<id:pk>/", views.response_detail, name="response_detail"),
    path("<id:pk>/questions/new/", builder_views.question_create, name="question_create"),
    path("questions/<id:pk>/edit/", builder_views.question_edit, name="question_edit"),
    path("questions/<id:pk>/remove/", builder_views.question_remove, name="question_remove"),
    path("questions/<id:pk>/restore/", builder_views.question_restore, name="question_restore"),
    path("questions/<id:pk>/move/", builder_views.question_move, name="question_move"),
    path("visits/", views.fieldvisit_list, name="fieldvisit_list"),
    path("visits/new/", views.fieldvisit_create, name="fieldvisit_create"),
    path("visits/<id:pk>/", views.fieldvisit_detail, name="fieldvisit_detail"),
]
