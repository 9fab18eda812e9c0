"""Public pages for residents (no login): the 15-minute service map and the walking routes."""

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from scenarios import public_selectors as selectors
from sites import gazetteer
from sites.catalogue import ServiceCategory
from sites.models import Area
from sites.network import walking_model
from sites.reach import reach_areas
from siting.constants import DETOUR_FACTOR, WALKING_SPEED_M_PER_MIN

# What the pages say a walk assumes, as written there ("70", "1.3": no trailing zeros).
WALKING_ASSUMPTIONS = {"speed": f"{WALKING_SPEED_M_PER_MIN:g}", "detour": f"{DETOUR_FACTOR:g}"}


class LocationForm(forms.Form):
    """Where the resident is: a place found by the search, their neighbourhood (both work
    without JS) or a pin on the map."""

    # A gazetteer key ("estate-12"), set by the links of the place search.
    place = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
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
        if data.get("area") is None and data.get("place"):
            # The place's field is hidden, so the message goes on top of the form.
            data["place"] = gazetteer.find(data["place"])
            if data["place"] is None:
                raise forms.ValidationError(
                    gettext("That place could not be found. Search for it again."),
                    code="unknown_place",
                )
        else:
            data["place"] = None
        if data.get("area") is not None or data.get("place") is not None:
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
        place, area = data.get("place"), data.get("area")
        if area is not None:
            return selectors.Origin(
                lat=float(area.centroid_lat),
                lng=float(area.centroid_lng),
                area=area,
                name=area.name,
            )
        if place is not None:
            return selectors.Origin(lat=place.lat, lng=place.lng, name=place.label(_english()))
        return selectors.Origin(lat=data["lat"], lng=data["lng"])

    def origin_query(self) -> str:
        """The origin as URL parameters, for links that keep it (the site pages)."""
        data = self.cleaned_data
        if data.get("area") is not None:
            return urlencode({"area": data["area"].pk})
        if data.get("place") is not None:
            return urlencode({"place": data["place"].key})
        return urlencode({"lat": f"{data['lat']:.6f}", "lng": f"{data['lng']:.6f}"})


ORIGIN_PARAMS = ("place", "area", "lat", "lng")


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find your housing estate, an address or a site"),
        max_length=60,
        help_text=_("In Chinese characters, English or pinyin, e.g. 零陵, lingling or llxq."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        required=False,  # the neighbourhood form beside it does without; no asterisk
    )

    def clean_q(self) -> str:
        query = self.cleaned_data["q"].strip()
        if not query:
            raise forms.ValidationError(
                gettext("Type the name of your housing estate, a road or a site."), code="empty"
            )
        return query


class FilterForm(forms.Form):
    """How far and which services; a value that is not offered falls back to the default."""

    minutes = forms.TypedChoiceField(
        choices=[(band, band) for band in selectors.MINUTE_BANDS], coerce=int, required=False
    )
    category = forms.ChoiceField(choices=ServiceCategory.choices, required=False)

    def values(self) -> tuple[int, str]:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("minutes") or selectors.MINUTE_BANDS[-1], data.get("category") or ""


def _english() -> bool:
    return (get_language() or "").startswith("en")


def place_links(matches: list[gazetteer.Place], **params: str | int) -> list[dict]:
    """The places a search found, as links that make each the origin (keeping ``params``)."""
    english = _english()
    kinds = {
        gazetteer.PlaceKind.AREA: gettext("Neighbourhood"),
        gazetteer.PlaceKind.ESTATE: gettext("Housing estate"),
        gazetteer.PlaceKind.SITE: gettext("Service site"),
    }
    url = reverse("public_service_map")
    return [
        {
            "label": place.label(english),
            "kind": kinds[place.kind],
            "address": place.address,
            "url": f"{url}?{urlencode({'place': place.key, **params})}#results",
        }
        for place in matches
    ]


@require_GET
def service_map(request: HttpRequest) -> HttpResponse:
    """What lies within a 5, 10 or 15-minute walk of a place, a neighbourhood or a pin: one
    card per site, nearest first, filtered by minutes and by category."""
    submitted = any(request.GET.get(key) for key in ORIGIN_PARAMS) or "area" in request.GET
    form = LocationForm(request.GET if submitted else None)
    search = SearchForm(request.GET if "q" in request.GET else None)
    matches = gazetteer.search(search.cleaned_data["q"]) if search.is_valid() else None
    within_minutes, category = FilterForm(request.GET).values()
    # The filters the resident chose stay when they pick a place.
    kept: dict[str, str | int] = {}
    if within_minutes != selectors.MINUTE_BANDS[-1]:
        kept["minutes"] = within_minutes
    if category:
        kept["category"] = category
    offers = selectors.operating_offers()
    origin = nearby = None
    origin_query = ""
    if matches is None and submitted and form.is_valid():
        origin = form.origin()
        origin_query = form.origin_query()
        nearby = selectors.places_nearby(
            origin, offers, within_minutes=within_minutes, category=category
        )
    categories = {o.service_type.category for o in offers}
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
        "search": search,
        "matches": None if matches is None else place_links(matches, **kept),
        "origin": origin,
        "origin_query": origin_query,
        "nearby": nearby,
        "within_minutes": within_minutes,
        "category": category,
        "categories": [(c, label) for c, label in ServiceCategory.choices if c in categories],
        "map_data": map_data,
        "bands": selectors.MINUTE_BANDS,
        "walking": walking_model(),
        **WALKING_ASSUMPTIONS,
    }
    return render(request, "public/service_map.html", context)


@require_GET
def place_search(request: HttpRequest) -> JsonResponse:
    """Suggestions for the place search box as the resident types (the page's own search, as
    JSON): each with its label, kind and the link that sets it as the origin."""
    search = SearchForm(request.GET)
    matches = gazetteer.search(search.cleaned_data["q"]) if search.is_valid() else []
    return JsonResponse({"places": place_links(matches)})


@require_GET
def site_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A service site for residents: where it is, what it runs and when, any safety notice,
    and the walk from where the resident searched from (when the link carries it)."""
    site = selectors.operating_site(pk)
    if site is None:
        raise Http404(gettext("No operating service site has this address."))
    form = LocationForm(request.GET)
    origin = walk = None
    origin_query = ""
    if any(request.GET.get(key) for key in ORIGIN_PARAMS) and form.is_valid():
        origin = form.origin()
        origin_query = form.origin_query()
        walk_m = selectors.walks_to_sites(origin, [site]).get(site.pk)
        if walk_m is not None:
            walk = selectors.PlaceNearby(site, walk_m)
    context = {
        "site": site,
        "origin": origin,
        "origin_query": origin_query,
        "walk": walk,
        "maps": selectors.maps_links(site),
        "map_data": {
            "sites": [
                {
                    "name": site.name,
                    "lat": float(site.latitude),
                    "lng": float(site.longitude),
                    "status": site.status,
                }
            ],
            "origin": None if origin is None else {"lat": origin.lat, "lng": origin.lng},
        },
        "walking": walking_model(),
        **WALKING_ASSUMPTIONS,
    }
    return render(request, "public/site_page.html", context)


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
