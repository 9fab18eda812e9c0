"""Public pages for residents (no login): the 15-minute service map and the walking routes."""

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from scenarios import public_selectors as selectors
from sites.models import Area
from sites.network import walking_model
from sites.reach import reach_areas
from siting.constants import DETOUR_FACTOR, WALKING_SPEED_M_PER_MIN

# What the pages say a walk assumes, as written there ("70", "1.3": no trailing zeros).
WALKING_ASSUMPTIONS = {"speed": f"{WALKING_SPEED_M_PER_MIN:g}", "detour": f"{DETOUR_FACTOR:g}"}


class LocationForm(forms.Form):
    """Where the resident is: their neighbourhood (works without JS) or a pin on the map."""

    area = forms.ModelChoiceField(
        queryset=Area.objects.all(),
        required=False,
        label=_("Your neighbourhood"),
        empty_label=_("Choose your neighbourhood"),
    )
    # Filled by the map script when a pin is dropped.
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean()
        if self.has_error("area"):
            return data
        if data.get("area") is not None:
            # A neighbourhood chosen after an earlier pin wins: the map script clears the
            # neighbourhood whenever it drops a new pin.
            return data
        lat, lng = data.get("lat"), data.get("lng")
        if self.has_error("lat") or self.has_error("lng") or (lat is None) != (lng is None):
            # The pin's fields are hidden, so the message goes on top of the form.
            raise forms.ValidationError(
                gettext("The point on the map could not be read. Drop the pin again."),
                code="bad_point",
            )
        if lat is None:
            raise forms.ValidationError(
                gettext("Choose your neighbourhood or drop a pin on the map."), code="empty"
            )
        region = settings.SITE_REGION
        inside = (
            region["min_lat"] <= lat <= region["max_lat"]
            and region["min_lng"] <= lng <= region["max_lng"]
        )
        if not inside:
            raise forms.ValidationError(
                gettext(
                    "That point lies outside Fenglin street. Drop the pin inside the street "
                    "or choose your neighbourhood."
                ),
                code="outside_region",
            )
        return data

    def origin(self) -> selectors.Origin:
        data = self.cleaned_data
        area = data.get("area")
        if area is None:
            return selectors.Origin(lat=data["lat"], lng=data["lng"])
        return selectors.Origin(
            lat=float(area.centroid_lat), lng=float(area.centroid_lng), area=area
        )


@require_GET
def service_map(request: HttpRequest) -> HttpResponse:
    """What lies within a 5, 10 and 15-minute walk of a neighbourhood or a dropped pin."""
    submitted = any(key in request.GET for key in ("area", "lat", "lng"))
    form = LocationForm(request.GET if submitted else None)
    offers = selectors.operating_offers()
    origin = results = None
    within, further = [], []
    if submitted and form.is_valid():
        origin = form.origin()
        results = selectors.nearest_services(origin, offers)
        # What a resident can walk to comes first, nearest first; the rest in catalogue order.
        within = sorted((r for r in results if r.band), key=lambda r: r.nearest[0].walk_m)
        further = [r for r in results if r.band is None]
    map_data = {
        "sites": selectors.sites_on_map(offers),
        "origin": None if origin is None else {"lat": origin.lat, "lng": origin.lng},
        # What a 5, 10 and 15-minute walk reaches: along the streets where a network is loaded.
        "reach": (
            None if origin is None else reach_areas(origin.lat, origin.lng, selectors.MINUTE_BANDS)
        ),
    }
    context = {
        "form": form,
        "origin": origin,
        "results": results,
        "within": within,
        "further": further,
        "within_15": len(within),
        "map_data": map_data,
        "bands": selectors.MINUTE_BANDS,
        **WALKING_ASSUMPTIONS,
    }
    return render(request, "public/service_map.html", context)


@require_GET
def route_list(request: HttpRequest) -> HttpResponse:
    model = walking_model()
    routes = [selectors.summarise_route(route, model) for route in selectors.published_routes()]
    return render(request, "public/route_list.html", {"routes": routes})


@require_GET
def route_detail(request: HttpRequest, slug: str) -> HttpResponse:
    route = selectors.published_routes().filter(slug=slug).first()
    if route is None:
        raise Http404(gettext("No published walking route has this address."))
    summary = selectors.summarise_route(route)
    stops = [
        {
            "order": s.stop.order,
            "name": s.stop.name,
            "lat": float(s.stop.latitude),
            "lng": float(s.stop.longitude),
        }
        for s in summary.stops
    ]
    context = {
        "summary": summary,
        "route": route,
        "stops_data": stops,
        **WALKING_ASSUMPTIONS,
    }
    return render(request, "public/route_detail.html", context)
