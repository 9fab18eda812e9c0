"""Residents' survey pages, mounted at /s/."""

from django.urls import path

from surveys import offline, public_views

app_name = "public_surveys"

urlpatterns = [
    path("<slug:slug>/", public_views.survey_form, name="survey_form"),
    path("<slug:slug>/thanks/", public_views.survey_thanks, name="survey_thanks"),
    path("<slug:slug>/sw.js", offline.survey_service_worker, name="survey_sw"),
]
