from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from sites.network import walking_model


def walking(request: HttpRequest) -> dict:
    """`walking`: the model every distance on the page is measured with (sites.network's
    WalkingModel), for the line that says so. Lazy: a page that never shows it costs no query."""
    return {"walking": SimpleLazyObject(walking_model)}
