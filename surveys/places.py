"""Places a resident can search for on a map question: housing estates and buildings (the
residential points) and the street's service sites, by name. Sent with the form (json_script),
so the search works without a request and without a connection once the form is kept.

The names come from the one gazetteer of the app (:mod:`sites.gazetteer`)."""

from django.utils.translation import get_language

from sites.gazetteer import PlaceKind, places


def map_places() -> list[list]:
    """[name, lat, lng] of every residential point and open site, names in the page's language
    (the gazetteer keeps them in the cache, refreshed whenever a name or position changes)."""
    english = (get_language() or "").startswith("en")
    return [
        [place.label(english), place.lat, place.lng]
        for place in places()
        if place.kind in (PlaceKind.ESTATE, PlaceKind.SITE)
    ]
