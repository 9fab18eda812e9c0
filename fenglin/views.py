import logging
import sys

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fenglin.cache import fail_open
from sites.models import Site

logger = logging.getLogger("fenglin.views")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The front page: residents find open surveys and the services on the street's map."""
    from surveys.selectors import open_surveys

    # Only operating sites are public: candidates are the office's internal deliberation.
    sites = [
        {
            "name": s.display_name,
            "lat": float(s.latitude),
            "lng": float(s.longitude),
            "status": s.status,
        }
        for s in Site.objects.operating().only("name", "name_en", "latitude", "longitude", "status")
    ]
    return render(request, "home.html", {"surveys": open_surveys(), "street_sites": sites})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For the load balancer and monitoring: the database and the cache, each "ok" or
    "unavailable". 200 while the database answers, even without the cache ("degraded": pages
    still work, only slower and without rate limits); 503 when the database does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        database = "unavailable"
    # Reading a key proves the cache answers; a miss is as good as a hit.
    probe = object()
    answered = fail_open(lambda: cache.get("fenglin:healthz", probe), None, purpose="health check")
    cache_state = "ok" if answered is not None else "unavailable"
    if database != "ok":
        status, code = "unavailable", 503
    else:
        status, code = ("ok" if cache_state == "ok" else "degraded"), 200
    return JsonResponse({"status": status, "database": database, "cache": cache_state}, status=code)


# Seconds after which a visitor should try again: a lock or a slow query passes quickly; a
# database that cannot be reached is being restarted or failed over.
RETRY_AFTER_BUSY = 5
RETRY_AFTER_UNREACHABLE = 30
# SQLSTATEs of PostgreSQL's statement timeout (query_canceled) and lock timeout.
_BUSY_SQLSTATES = {"57014", "55P03"}


def is_database_unavailable(error: BaseException | None) -> bool:
    """Whether an error means the database is unreachable or too busy right now (as opposed to
    a bug in a query, which stays a 500)."""
    return isinstance(error, (OperationalError, InterfaceError))


def _database_busy(error: BaseException) -> bool:
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    return "database is locked" in str(error)  # SQLite's busy timeout


def database_unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """The 503 page for a database that is unreachable or busy: static and bilingual, rendered
    without context processors, which would query the database again."""
    busy = _database_busy(error)
    logger.error(
        "Database %s: %s %s",
        "busy" if busy else "unavailable",
        request.method,
        request.path,
        exc_info=error,
    )
    body = loader.get_template("503.html").render({"busy": busy}, None)
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_BUSY if busy else RETRY_AFTER_UNREACHABLE)
    add_never_cache_headers(response)
    return response


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Django calls this inside the except block of the failure: a database outage met outside
    # a view (in a middleware) still answers 503.
    error = sys.exc_info()[1]
    if is_database_unavailable(error):
        return database_unavailable(request, error)
    # A static bilingual page rendered without context processors, which might fail again.
    return HttpResponse(loader.get_template("500.html").render({}, None), status=500)


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links to. The icon's address is worked
    out per request: with hashed static names it exists only after collectstatic."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
