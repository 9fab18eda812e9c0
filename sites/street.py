"""The street's outline: the ground the neighbourhood areas divide between them.

Part of the sites app (its model registers as "sites.Street"); import it from sites.models.
One row is expected (the street this app plans for); :func:`sites.boundaries.street` reads it.
Area boundaries are checked against it (sites.boundaries).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sites.fields import StrictJSONField
from sites.validators import validate_polygon_geojson


class Street(models.Model):
    """The street office's territory (街道): its name and outline."""

    name = models.CharField(_("name"), max_length=100)
    boundary = StrictJSONField(
        _("outline"),
        validators=[validate_polygon_geojson],
        help_text=_("GeoJSON Polygon in WGS-84 (longitude, latitude)."),
    )
    illustrative = models.BooleanField(
        _("illustrative data"),
        default=False,
        help_text=_("The outline is approximate demo data, not the official boundary."),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("street")
        verbose_name_plural = _("street")

    def __str__(self) -> str:
        return self.name
