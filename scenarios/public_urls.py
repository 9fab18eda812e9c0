"""Public pages for residents: the service map and the curated walking routes.

Included at the site root without a namespace, so every name starts with `public_`.
"""

from django.urls import path

from scenarios import public_views

urlpatterns = [
    path("map/", public_views.service_map, name="public_service_map"),
    path("map/places/", public_views.place_search, name="public_place_search"),
    path("places/<int:pk>/", public_views.site_page, name="public_site"),
    path("routes/", public_views.route_list, name="public_route_list"),
    path("routes/<slug:slug>/", public_views.route_detail, name="public_route_detail"),
]
