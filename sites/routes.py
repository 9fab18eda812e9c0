"""Curated walking routes (精品路线) through the street's places, shown to residents.

Part of the sites app (its models register as "sites.*"); import them from sites.models.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fenglin.i18n import in_active_language
from sites.validators import validate_latitude_in_region, validate_longitude_in_region


class WalkingRoute(models.Model):
    """A curated walk (精品路线) through the street's places, shown to residents."""

    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        ordering = ["name_zh"]
        verbose_name = _("walking route")
        verbose_name_plural = _("walking routes")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_active_language(self.name_zh, self.name_en)


class RouteStop(models.Model):
    """One stop of a walking route: a registered site or any named place."""

    route = models.ForeignKey(WalkingRoute, on_delete=models.CASCADE, related_name="stops")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=150)
    site = models.ForeignKey(
        "sites.Site", verbose_name=_("site"), on_delete=models.SET_NULL, null=True, blank=True
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        validators=[validate_latitude_in_region],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[validate_longitude_in_region],
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["route", "order"]
        verbose_name = _("route stop")
        verbose_name_plural = _("route stops")
        constraints = [
            models.UniqueConstraint(fields=["route", "order"], name="routestop_unique_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
