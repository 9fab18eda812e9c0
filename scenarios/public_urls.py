"""Public pages for residents: the service map and the curated walking routes.

Included at the site root without a namespace, so every name starts with `public_`.
"""

from django.urls import path

from scenarios import public_views

urlpatterns = [
    path("map/", public_views.service_map, name="public_service_map"),
    path("routes/", public_views.route_list, name="public_route_list"),
    path("routes/<slug:slug>/", public_views.route_detail, name="public_route_detail"),
]
