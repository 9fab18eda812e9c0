from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The front page: residents find surveys and the service map; staff their work."""
    from surveys.selectors import open_surveys

    return render(request, "home.html", {"surveys": open_surveys()})


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
    # No context processors that could fail again: a plain template.
    from django.template import loader

    template = loader.get_template("500.html")
    return HttpResponse(template.render({}, None), status=500)
