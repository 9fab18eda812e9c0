"""Places a resident can search for on a map question: housing estates and buildings (the
residential points) and the street's service sites, by name. Sent with the form (json_script),
so the search works without a request and without a connection once the form is kept."""

from django.db.models import Q
from django.utils.translation import get_language

from fenglin.cache import remember
from sites.models import ResidentialPoint, Site, SiteStatus

PLACES_CACHE_SECONDS = 600


def _places(english: bool) -> list[list]:
    estates = ResidentialPoint.objects.order_by("name").values_list(
        "name", "name_en", "latitude", "longitude"
    )
    places = [
        [(name_en or name) if english else name, float(lat), float(lng)]
        for name, name_en, lat, lng in estates
    ]
    sites = (
        Site.objects.exclude(status=SiteStatus.CLOSED)
        .filter(~Q(name=""))
        .order_by("name")
        .values_list("name", "latitude", "longitude")
    )
    places += [[name, float(lat), float(lng)] for name, lat, lng in sites]
    return places


def map_places() -> list[list]:
    """[name, lat, lng] of every residential point and open site, names in the page's language;
    kept in the cache for ten minutes, since a new estate may wait that long to be found."""
    english = (get_language() or "").startswith("en")
    key = f"surveys:places:{'en' if english else 'zh'}"
    return remember(
        key, lambda: _places(english), timeout=PLACES_CACHE_SECONDS, purpose="map places"
    )
