from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from fenglin import roles
from fenglin.access import scope_for


def site_context(request: HttpRequest) -> dict:
    """What every page's layout needs: the map tiles, what the user may open and see.

    `access_scope` (fenglin.access.Scope) is lazy: pages that never ask cost no query.
    """
    user = getattr(request, "user", None)
    return {
        "MAP_TILES_URL": settings.MAP_TILES_URL,
        "MAP_ATTRIBUTION": settings.MAP_ATTRIBUTION,
        "nav": roles.navigation_for(user) if user is not None else {},
        "access_scope": SimpleLazyObject(lambda: scope_for(user)),
        "nav_section": nav_section(request.path),
    }


# The staff menu's sections by the URL at the start of their addresses (the longest wins), so
# that the menu marks the section a page belongs to with aria-current.
NAV_SECTIONS = {
    "sites": "sites:site_list",
    "areas": "sites:area_list",
    "catalogue": "sites:servicetype_list",
    "safety": "sites:safety_dashboard",
    "surveys": "surveys:survey_list",
    "planning": "scenarios:index",
    "admin": "admin:index",
}


def nav_section(path: str) -> str:
    """The menu section `path` belongs to, or "" for pages outside the staff menu."""
    section, longest = "", 0
    for name, url_name in NAV_SECTIONS.items():
        try:
            prefix = reverse(url_name)
        except NoReverseMatch:
            continue
        if path.startswith(prefix) and len(prefix) > longest:
            section, longest = name, len(prefix)
    return section
