from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_GET

from sites.models import Site


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The front page: residents find open surveys and the services on the street's map."""
    from surveys.selectors import open_surveys

    # Only operating sites are public: candidates are the office's internal deliberation.
    sites = [
        {"name": s.name, "lat": float(s.latitude), "lng": float(s.longitude), "status": s.status}
        for s in Site.objects.operating().only("name", "latitude", "longitude", "status")
    ]
    return render(request, "home.html", {"surveys": open_surveys(), "street_sites": sites})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    connection.ensure_connection()
    return HttpResponse("ok", content_type="text/plain")


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # A static bilingual page rendered without context processors, which might fail again.
    return HttpResponse(loader.get_template("500.html").render({}, None), status=500)
