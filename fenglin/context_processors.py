from django.conf import settings
from django.http import HttpRequest
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
    }
