"""The app's own places, searchable by name: neighbourhood areas (at their centre), housing
estates and buildings, and the street's sites (by name and by address).

One list for every place search (the residents' page, the survey map question). Residents type
Chinese characters, English or pinyin, often only the initials on a phone keyboard: each place
carries its pinyin in full ("linglingxiaoqu") and as initials ("llxq"), computed once per change
of names and kept in the cache under a digest of them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db.models import Q
from pypinyin import Style, lazy_pinyin

from fenglin.cache import remember
from sites.models import Area, ResidentialPoint, Site, SiteStatus

GAZETTEER_CACHE_SECONDS = 24 * 3600


class PlaceKind:
    AREA = "area"
    ESTATE = "estate"
    SITE = "site"


# Among equally good matches, where people live comes before the services and the areas.
KIND_ORDER = {PlaceKind.ESTATE: 0, PlaceKind.SITE: 1, PlaceKind.AREA: 2}


@dataclass(frozen=True)
class Place:
    kind: str
    pk: int
    name: str  # Chinese, as registered
    name_en: str  # "" where none is registered
    lat: float
    lng: float
    address: str = ""
    keys: tuple[str, ...] = ()  # normalised search keys: names, pinyin, initials, address

    @property
    def key(self) -> str:
        """A stable reference to the place for URLs: "estate-12", "site-3", "area-5"."""
        return f"{self.kind}-{self.pk}"

    def label(self, english: bool) -> str:
        return (self.name_en or self.name) if english else self.name


def normalise(text: str) -> str:
    """Lower case without spaces or punctuation between syllables ("Dong'an" -> "dongan")."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def pinyin_keys(text: str) -> tuple[str, str]:
    """The text's pinyin without tones, in full and as initials ("零陵小区" -> linglingxiaoqu,
    llxq). Characters that are not Chinese are kept as they are in both."""
    syllables = lazy_pinyin(text)
    initials = lazy_pinyin(text, style=Style.FIRST_LETTER)
    return normalise("".join(syllables)), normalise("".join(initials))


def _search_keys(*texts: str) -> tuple[str, ...]:
    keys: list[str] = []
    for text in texts:
        if not text:
            continue
        for key in (normalise(text), *pinyin_keys(text)):
            if key and key not in keys:
                keys.append(key)
    return tuple(keys)


def _rows() -> list[tuple]:
    """Every place as plain values: what the search keys are built from (three queries)."""
    areas = Area.objects.order_by("code").values_list("pk", "name", "centroid_lat", "centroid_lng")
    estates = ResidentialPoint.objects.order_by("name", "pk").values_list(
        "pk", "name", "name_en", "latitude", "longitude"
    )
    sites = (
        Site.objects.exclude(status=SiteStatus.CLOSED).filter(~Q(name="")).order_by("name", "pk")
    )
    site_fields = ["pk", "name", "address", "latitude", "longitude"]
    if any(f.name == "name_en" for f in Site._meta.get_fields()):
        site_fields.append("name_en")  # bilingual site names, where the model has them
    rows = [(PlaceKind.AREA, pk, name, "", lat, lng, "") for pk, name, lat, lng in areas]
    rows += [(PlaceKind.ESTATE, pk, name, en, lat, lng, "") for pk, name, en, lat, lng in estates]
    for values in sites.values_list(*site_fields):
        pk, name, address, lat, lng, *en = values
        rows.append((PlaceKind.SITE, pk, name, (en or [""])[0] or "", lat, lng, address))
    return [(k, pk, n, en, float(lat), float(lng), a) for k, pk, n, en, lat, lng, a in rows]


def _build(rows: list[tuple]) -> list[Place]:
    return [
        Place(
            kind=kind,
            pk=pk,
            name=name,
            name_en=name_en,
            lat=lat,
            lng=lng,
            address=address,
            keys=_search_keys(name, name_en, address),
        )
        for kind, pk, name, name_en, lat, lng, address in rows
    ]


def places() -> list[Place]:
    """Every place, with its search keys; the pinyin is worked out once per change of any name,
    address or position (the cache key is a digest of them all)."""
    rows = _rows()
    digest = hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()[:20]
    return remember(
        f"sites:gazetteer:{digest}",
        lambda: _build(rows),
        timeout=GAZETTEER_CACHE_SECONDS,
        purpose="gazetteer",
    )


def find(key: str) -> Place | None:
    """The place a URL names ("estate-12"), or None."""
    return next((place for place in places() if place.key == key), None)


def _rank(place: Place, query: str) -> int | None:
    """0 for an exact match of any key, 1 for a prefix, 2 for a substring, None for none."""
    best = None
    for key in place.keys:
        if key == query:
            return 0
        if key.startswith(query):
            best = 1
        elif best is None and query in key:
            best = 2
    return best


def search(query: str, limit: int = 8) -> list[Place]:
    """The places whose name, English name, pinyin, initials or address match the query: exact
    matches first, then prefixes, then substrings; shorter names first among equals."""
    query = normalise(query)
    if not query:
        return []
    ranked = []
    for place in places():
        rank = _rank(place, query)
        if rank is not None:
            ranked.append((rank, KIND_ORDER[place.kind], len(place.name), place.name, place))
    ranked.sort(key=lambda row: row[:4])
    return [row[-1] for row in ranked[:limit]]
