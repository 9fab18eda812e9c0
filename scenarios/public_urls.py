"""Public pages for residents: the service map and the curated walking routes."""

urlpatterns: list = []
