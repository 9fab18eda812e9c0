from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from sites.illustrative import illustrative_labels
from sites.network import walking_model


def walking(request: HttpRequest) -> dict:
    """`walking`: the model every distance on the page is measured with (sites.network's
    WalkingModel), for the line that says so. Lazy: a page that never shows it costs no query."""
    return {"walking": SimpleLazyObject(walking_model)}


def illustrative(request: HttpRequest) -> dict:
    """`illustrative_data`: the kinds of demo data in use (empty when none), for the staff pages'
    banner. Lazy: one query, only on pages that show the banner."""
    return {"illustrative_data": SimpleLazyObject(illustrative_labels)}
