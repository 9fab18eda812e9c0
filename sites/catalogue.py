"""The service catalogue: the "service scenarios" a site can host, each with the planning
standard it comes from, and the resident groups services and populations are counted for.

Part of the sites app (its models register as "sites.*"); import them from sites.models.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fenglin.i18n import in_active_language


class TargetGroup(models.TextChoices):
    ALL = "all", _("All residents")
    ELDERLY = "elderly", _("Elderly (60+)")
    CHILDREN = "children", _("Children")
    DISABLED = "disabled", _("Disabled people")
    WORKERS = "workers", _("Workers")


class LifeCircleLevel(models.TextChoices):
    BLOCK = "block", _("Neighbourhood block")
    FIVE = "5min", _("5-minute life circle")
    TEN = "10min", _("10-minute life circle")
    FIFTEEN = "15min", _("15-minute life circle")
    NONE = "none", _("Inside a hub (no own standard)")


class ServiceCategory(models.TextChoices):
    HUB = "hub", _("Multi-service hub")
    ELDERLY = "elderly", _("Elderly care")
    HEALTH = "health", _("Health")
    CHILDREN = "children", _("Children and education")
    FOOD = "food", _("Food and shopping")
    CULTURE = "culture", _("Culture and sport")
    CIVIC = "civic", _("Community affairs")
    DAILY = "daily", _("Daily services")


class StandardStatus(models.TextChoices):
    READ = "R", _("Read in the official text")
    SECONDARY = "R2", _("Read in a secondary source")
    UNCONFIRMED = "U", _("Not confirmed")
    STORY = "story", _("From the Fenglin story")


class ServiceTypeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def with_standard(self):
        """Service types that have a walking threshold to check coverage against."""
        return self.active().filter(threshold_m__isnull=False)


class ServiceType(models.Model):
    """One "service scenario" of the catalogue, with the planning standard it comes from.

    Several numbers in the standards are not confirmed; `confirmed` is false for those and the
    pages mark them, but every number stays editable.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    category = models.CharField(
        _("category"), max_length=20, choices=ServiceCategory, default=ServiceCategory.DAILY
    )
    target_group = models.CharField(
        _("target group"), max_length=20, choices=TargetGroup, default=TargetGroup.ALL
    )
    level = models.CharField(
        _("life-circle level"), max_length=10, choices=LifeCircleLevel, default=LifeCircleLevel.NONE
    )
    threshold_m = models.PositiveIntegerField(
        _("walking threshold (m)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(50), MaxValueValidator(5000)],
    )
    min_floor_area_m2 = models.DecimalField(
        _("minimum floor area (m²)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    max_floor_area_m2 = models.DecimalField(
        _("maximum floor area (m²)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    standard = models.CharField(_("standard"), max_length=200, blank=True)
    standard_status = models.CharField(
        _("standard status"),
        max_length=10,
        choices=StandardStatus,
        default=StandardStatus.UNCONFIRMED,
    )
    confirmed = models.BooleanField(
        _("numbers confirmed"),
        default=False,
        help_text=_("Unticked while the threshold or size is not confirmed in an official text."),
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    history = HistoricalRecords()
    objects = ServiceTypeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_floor_area_m2__isnull=True)
                | Q(max_floor_area_m2__isnull=True)
                | Q(min_floor_area_m2__lte=models.F("max_floor_area_m2")),
                name="servicetype_floor_area_range",
                violation_error_message=_("The minimum floor area exceeds the maximum."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sites:servicetype_detail", args=[self.pk])

    @property
    def name(self) -> str:
        return in_active_language(self.name_zh, self.name_en)
