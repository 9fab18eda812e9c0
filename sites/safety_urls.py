"""Safety inspection pages, inside the `sites` namespace (included by sites/urls.py)."""

urlpatterns: list = []
