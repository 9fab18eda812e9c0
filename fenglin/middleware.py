from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers


class ChosenLanguageMiddleware:
    """Chinese unless the visitor chose otherwise with the language switcher.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: the street
    office's pages are Chinese by default, whatever phone a resident happens to hold.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class DatabaseUnavailableMiddleware:
    """A page whose database is unreachable, or busy past the lock or statement timeout, answers
    503 with Retry-After (templates/503.html) instead of a 500: the outage is passing, and the
    visitor and any load balancer should simply try again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from fenglin.views import database_unavailable, is_database_unavailable

        if is_database_unavailable(exception):
            return database_unavailable(request, exception)
        return None


class PrivatePagesMiddleware:
    """Pages and exports for a signed-in user are sent `Cache-Control: private, no-store`, so no
    shared proxy or browser cache keeps a copy of staff data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _signed_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _signed_in(request: HttpRequest) -> bool:
    # A page that never looked at the session cannot depend on who is signed in; looking now
    # would cost a query, and may fail when the database is what went wrong.
    session = getattr(request, "session", None)
    if session is None or not session.accessed:
        return False
    try:
        return request.user.is_authenticated
    except DatabaseError:
        return False
