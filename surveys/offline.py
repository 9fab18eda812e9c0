"""The service workers that keep a survey's form usable without a connection (fieldwork in
stairwells and basements): one for the public form, one for paper entry, each served from the
page's own address so that its scope is that page. The script is static/js/survey-sw.js after a
line of configuration; answers themselves wait in the browser (static/js/offline-queue.js)."""

import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from fenglin.access import staff_required
from surveys.models import Survey

# What the form pages load from /static/ (more is sent by the page once the worker runs).
ASSETS = (
    "css/app.css",
    "css/surveys.css",
    "js/survey-form.js",
    "js/survey-logic.js",
    "js/offline-queue.js",
    "js/point-picker.js",
    "leaflet/leaflet.css",
    "leaflet/leaflet.js",
)


def _script() -> str:
    path = finders.find("js/survey-sw.js")
    if path is None:
        raise Http404
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def service_worker(page: str, *, version: object) -> HttpResponse:
    """The worker for one page; `version` (the survey's definition time) renames its cache when
    the questions change, so an old form is not kept beside the new one."""
    config = {
        "page": page,
        "static": settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/",
        "assets": [static(name) for name in ASSETS],
        "version": str(version),
    }
    body = f"var CONFIG = {json.dumps(config)};\n{_script()}"
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    # Browsers check for a new worker on each visit; never serve them a stale one.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def survey_service_worker(request: HttpRequest, slug: str) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.published(), slug=slug)
    return service_worker(survey.get_public_url(), version=survey.updated_at.timestamp())


@require_GET
@staff_required("surveys.add_paper_response")
def paper_service_worker(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    page = request.path.rsplit("sw.js", 1)[0]
    return service_worker(page, version=survey.updated_at.timestamp())
