"""A point picker for a pair of latitude/longitude decimal fields.

The widget sits on the longitude field and renders its input followed by a map; a click on
the map fills both inputs, typing coordinates moves the marker. Without JavaScript the two
inputs are ordinary number inputs. Used by the staff forms and the Django admin.
"""

import json

from django import forms
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext as _


class PointPickerWidget(forms.NumberInput):
    """Number input for the longitude plus a map that sets it and its latitude partner.

    The partner input is found by name in the same form: the widget's own name with
    `lng_field` replaced by `lat_field`, so formset prefixes (admin inlines) work too. The map's
    id is the input's id with the field name replaced by "point_map" (id_point_map).
    """

    def __init__(self, lat_field: str = "latitude", lng_field: str = "longitude", attrs=None):
        super().__init__(attrs)
        self.lat_field = lat_field
        self.lng_field = lng_field

    class Media:
        css = {"all": ["leaflet/leaflet.css"]}
        js = ["leaflet/leaflet.js", "js/point-picker.js"]

    def __deepcopy__(self, memo):
        obj = super().__deepcopy__(memo)
        obj.lat_field, obj.lng_field = self.lat_field, self.lng_field
        return obj

    def _partner_name(self, name: str) -> str:
        if name.endswith(self.lng_field):
            return name[: -len(self.lng_field)] + self.lat_field
        return self.lat_field

    def _map_id(self, input_id: str) -> str:
        if input_id.endswith(self.lng_field):
            return input_id[: -len(self.lng_field)] + "point_map"
        return f"{input_id}_point_map"

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        input_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        config = settings.LEAFLET_CONFIG
        label, tiles_url, tile_options = config["TILES"][0]
        region = settings.SITE_REGION
        return format_html(
            '{}<div class="map small point-picker" id="{}" data-map-id="{}" data-point-picker '
            'data-lng-input="{}" data-lat-name="{}" data-tiles="{}" data-tile-options="{}" '
            'data-center="{}" data-zoom="{}" data-region="{}" role="application" '
            'aria-label="{}"></div><p class="help point-picker-help">{}</p>',
            html,
            self._map_id(input_id),
            self._map_id(input_id),
            input_id,
            self._partner_name(name),
            tiles_url,
            json.dumps(
                {
                    "attribution": str(tile_options.get("attribution", "")),
                    "referrerPolicy": "strict-origin",
                    "maxZoom": tile_options.get("maxZoom", 19),
                }
            ),
            json.dumps(list(config["DEFAULT_CENTER"])),
            config["DEFAULT_ZOOM"],
            json.dumps(region),
            _("Map for choosing the point"),
            _(
                "Click the map to set the latitude and longitude, or drag the marker; "
                "typed coordinates move the marker."
            ),
        )
