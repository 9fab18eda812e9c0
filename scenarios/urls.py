from django.urls import path

from scenarios import premises_views, views

app_name = "scenarios"

urlpatterns = [
    path("", views.index, name="index"),
    path("demand/", views.demand_list, name="demand_list"),
    path("demand/<slug:code>/", views.demand_detail, name="demand_detail"),
    path("coverage/", views.coverage_list, name="coverage_list"),
    path("coverage/<slug:code>/", views.coverage_detail, name="coverage_detail"),
    path("gaps/", views.gaps, name="gaps"),
    path("compare/", views.compare, name="compare"),
    path("plans/new/", views.scenario_create, name="scenario_create"),
    path("plans/<id:pk>/", views.scenario_detail, name="scenario_detail"),
    path("plans/<id:pk>/edit/", views.scenario_update, name="scenario_update"),
    path("plans/<id:pk>/archive/", views.ScenarioArchiveView.as_view(), name="scenario_archive"),
    path("plans/<id:pk>/restore/", views.ScenarioRestoreView.as_view(), name="scenario_restore"),
    path("plans/<id:pk>/evaluate/", views.scenario_evaluate, name="scenario_evaluate"),
    path("plans/<id:pk>/add/", views.addition_create, name="addition_create"),
    path(
        "plans/<id:pk>/additions/<id:addition_pk>/delete/",
        views.addition_delete,
        name="addition_delete",
    ),
    path("plans/<id:pk>/services/<slug:code>/", views.scenario_service, name="scenario_service"),
    path("plans/<id:pk>/optimise/", views.scenario_optimise, name="scenario_optimise"),
    path("plans/<id:pk>/share/", views.scenario_share, name="scenario_share"),
    path("runs/<id:pk>/", views.run_detail, name="run_detail"),
    path("runs/<id:pk>/status/", views.run_status, name="run_status"),
    path("runs/<id:pk>/cancel/", views.run_cancel, name="run_cancel"),
    path("premises/", premises_views.premises_decision, name="premises_decision"),
    path("provision/", premises_views.provision_page, name="provision"),
]
