"""Where people live: housing estates (小区) and buildings with their population by group.

Part of the sites app (its model registers as "sites.ResidentialPoint"); import it from
sites.models. A plan puts an area's demand at its residential points, each carrying the share
of the area's residents of each group that lives there (scenarios.inputs.area_points); an area
without any keeps its demand spread over its boundary. Writes go through
sites.residential_services, imports and exports through sites.residential_imports.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fenglin.i18n import in_active_language
from sites.catalogue import PopulationByGroup
from sites.validators import validate_latitude_in_region, validate_longitude_in_region


class ResidentialKind(models.TextChoices):
    ESTATE = "estate", pgettext_lazy("residential kind", "Housing estate")
    BUILDING = "building", pgettext_lazy("residential kind", "Building")


class ResidentialPointQuerySet(models.QuerySet):
    def in_area(self, area) -> "ResidentialPointQuerySet":
        return self.filter(area=area)


class ResidentialPoint(PopulationByGroup, models.Model):
    """A housing estate (小区) or a building, at one point, with its residents by group."""

    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Stable reference (letters, digits, - and _): imports update by it."),
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ResidentialKind, default=ResidentialKind.ESTATE
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        validators=[
            MinValueValidator(Decimal(-90)),
            MaxValueValidator(Decimal(90)),
            validate_latitude_in_region,
        ],
        help_text=_("WGS-84 degrees, e.g. 31.193000"),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[
            MinValueValidator(Decimal(-180)),
            MaxValueValidator(Decimal(180)),
            validate_longitude_in_region,
        ],
        help_text=_("WGS-84 degrees, e.g. 121.455000"),
    )
    area = models.ForeignKey(
        "sites.Area",
        verbose_name=_("area"),
        on_delete=models.SET_NULL,
        related_name="residential_points",
        null=True,
        blank=True,
        help_text=_("Left empty: the area the point lies in."),
    )
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    population_total = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_elderly = models.PositiveIntegerField(_("elderly 60+"), null=True, blank=True)
    population_children_0_6 = models.PositiveIntegerField(_("children 0–6"), null=True, blank=True)
    population_children_7_14 = models.PositiveIntegerField(
        _("children 7–14"), null=True, blank=True
    )
    population_disabled = models.PositiveIntegerField(_("disabled"), null=True, blank=True)
    illustrative = models.BooleanField(
        _("illustrative data"),
        default=False,
        help_text=_("Coordinates or figures are approximate demo values."),
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = ResidentialPointQuerySet.as_manager()

    # What staff set, in the order files have them: the admin, the import and the export.
    EDITABLE_FIELDS = (
        "code",
        "name",
        "name_en",
        "kind",
        "latitude",
        "longitude",
        "area",
        "households",
        "population_total",
        "population_elderly",
        "population_children_0_6",
        "population_children_7_14",
        "population_disabled",
        "illustrative",
        "notes",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("residential point")
        verbose_name_plural = _("residential points")
        constraints = [
            models.CheckConstraint(
                condition=Q(population_total__isnull=True)
                | Q(population_elderly__isnull=True)
                | Q(population_elderly__lte=models.F("population_total")),
                name="residential_elderly_within_total",
                violation_error_message=_("The elderly cannot outnumber the whole population."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return in_active_language(self.name, self.name_en)

    def clean(self) -> None:
        # The constraint's check, keyed by the field so that a form or a file row shows it there.
        super().clean()
        total, elderly = self.population_total, self.population_elderly
        if total is not None and elderly is not None and elderly > total:
            raise ValidationError(
                {"population_elderly": _("The elderly cannot outnumber the whole population.")}
            )
