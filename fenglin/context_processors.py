from django.conf import settings
from django.http import HttpRequest

from fenglin import roles


def site_context(request: HttpRequest) -> dict:
    """What every page's layout needs: the map tiles and what the user may open."""
    user = getattr(request, "user", None)
    return {
        "MAP_TILES_URL": settings.MAP_TILES_URL,
        "MAP_ATTRIBUTION": settings.MAP_ATTRIBUTION,
        "nav": roles.navigation_for(user) if user is not None else {},
    }
