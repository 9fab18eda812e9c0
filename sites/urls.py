from django.urls import include, path

from sites import safety_urls

app_name = "sites"

urlpatterns: list = [
    # The sites register's pages are added here.
    path("safety/", include(safety_urls.urlpatterns)),
]
