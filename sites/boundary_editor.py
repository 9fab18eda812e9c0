"""A map editor for a boundary field: Leaflet.draw bound to the GeoJSON textarea.

The textarea stays on the page, holding the boundary as GeoJSON: it is what the form posts, the
text alternative to the map and all there is without JavaScript. static/js/boundary-editor.js
draws, edits and deletes one polygon on the map and writes it into the textarea. Leaflet.draw
ships with django-leaflet; its controls and tooltips are translated through ``L.drawLocal``,
filled from :func:`draw_strings` (passed in a JSON script element: no inline script).
"""

import json

from django import forms
from django.conf import settings
from django.utils.html import format_html, json_script
from django.utils.translation import gettext as _


def draw_strings() -> dict:
    """Every string of Leaflet.draw's ``L.drawLocal``, in the active language."""
    return {
        "draw": {
            "toolbar": {
                "actions": {"title": _("Cancel drawing"), "text": _("Cancel")},
                "finish": {"title": _("Finish drawing"), "text": _("Finish")},
                "undo": {"title": _("Delete the last point drawn"), "text": _("Delete last point")},
                "buttons": {
                    "polyline": _("Draw a line"),
                    "polygon": _("Draw a boundary"),
                    "rectangle": _("Draw a rectangle"),
                    "circle": _("Draw a circle"),
                    "marker": _("Place a marker"),
                    "circlemarker": _("Place a circle marker"),
                },
            },
            "handlers": {
                "circle": {
                    "tooltip": {"start": _("Click and drag to draw a circle.")},
                    "radius": _("Radius"),
                },
                "circlemarker": {
                    "tooltip": {"start": _("Click the map to place a circle marker.")}
                },
                "marker": {"tooltip": {"start": _("Click the map to place a marker.")}},
                "polygon": {
                    "tooltip": {
                        "start": _("Click to start drawing the boundary."),
                        "cont": _("Click to continue drawing the boundary."),
                        "end": _("Click the first point to close the boundary."),
                    }
                },
                "polyline": {
                    "error": _("<strong>Error:</strong> the edges cannot cross!"),
                    "tooltip": {
                        "start": _("Click to start drawing a line."),
                        "cont": _("Click to continue drawing the line."),
                        "end": _("Click the last point to finish the line."),
                    },
                },
                "rectangle": {"tooltip": {"start": _("Click and drag to draw a rectangle.")}},
                "simpleshape": {"tooltip": {"end": _("Release the mouse to finish drawing.")}},
            },
        },
        "edit": {
            "toolbar": {
                "actions": {
                    "save": {"title": _("Keep the changes"), "text": _("Done")},
                    "cancel": {
                        "title": _("Cancel editing and discard the changes"),
                        "text": _("Cancel"),
                    },
                    "clearAll": {"title": _("Delete the boundary"), "text": _("Delete all")},
                },
                "buttons": {
                    "edit": _("Edit the boundary"),
                    "editDisabled": _("No boundary to edit"),
                    "remove": _("Delete the boundary"),
                    "removeDisabled": _("No boundary to delete"),
                },
            },
            "handlers": {
                "edit": {
                    "tooltip": {
                        "text": _("Drag the handles to move the corners."),
                        "subtext": _("Click Cancel to undo the changes."),
                    }
                },
                "remove": {"tooltip": {"text": _("Click the boundary to delete it.")}},
            },
        },
    }


class BoundaryEditorWidget(forms.Textarea):
    """A GeoJSON textarea followed by a Leaflet.draw map editing the one polygon it holds.

    ``exclude_pk`` is the area being edited: the map shows the street's outline and the other
    areas' boundaries behind it (read when the widget is rendered, never when a form is only
    validated, so an import of many rows reads nothing for it).
    """

    exclude_pk: int | None = None

    class Media:
        css = {"all": ["leaflet/leaflet.css", "leaflet/draw/leaflet.draw.css"]}
        js = ["leaflet/leaflet.js", "leaflet/draw/leaflet.draw.js", "js/boundary-editor.js"]

    def __init__(self, attrs=None):
        super().__init__({"rows": 4, **(attrs or {})})

    def format_value(self, value):
        # A JSON field shows no boundary as "null": an empty box says it plainly.
        return None if value in (None, "null") else super().format_value(value)

    def render(self, name, value, attrs=None, renderer=None):
        from sites.boundaries import editor_backdrop

        html = super().render(name, value, attrs, renderer)
        input_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        config = settings.LEAFLET_CONFIG
        _label, tiles_url, tile_options = config["TILES"][0]
        strings_id = f"{input_id}_draw_strings"
        backdrop_id = f"{input_id}_backdrop"
        return format_html(
            '{}<div class="map boundary-editor" id="{}_map" data-boundary-editor data-input="{}" '
            'data-strings="{}" data-backdrop="{}" data-tiles="{}" data-tile-options="{}" '
            'data-center="{}" data-zoom="{}" role="application" aria-label="{}"></div>'
            '<p class="help boundary-editor-help">{}</p>{}{}',
            html,
            input_id,
            input_id,
            strings_id,
            backdrop_id,
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
            _("Map for drawing the boundary"),
            _(
                "Draw the boundary with the polygon button, move its corners with the edit "
                "button or delete it; the text above holds it as GeoJSON and can be typed or "
                "pasted instead. The dashed line is the street's outline, grey shapes are the "
                "other areas."
            ),
            json_script(draw_strings(), strings_id),
            json_script(editor_backdrop(exclude_pk=self.exclude_pk), backdrop_id),
        )
