"""The service catalogue: the "service scenarios" a site can host, each with the planning
standard it comes from, and the resident groups services and populations are counted for.

Part of the sites app (its models register as "sites.*"); import them from sites.models.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fenglin.i18n import in_active_language
from siting.constants import ELDERLY_WALKING_SPEED_M_PER_MIN, WALKING_SPEED_M_PER_MIN


class TargetGroup(models.TextChoices):
    ALL = "all", _("All residents")
    ELDERLY = "elderly", _("Elderly (60+)")
    CHILDREN = "children", _("Children")
    DISABLED = "disabled", _("Disabled people")
    WORKERS = "workers", _("Workers")


class PopulationByGroup:
    """Population by group for a model with the population_* fields (areas, housing estates):
    the one reading of those fields as the catalogue's target groups."""

    @property
    def population_children(self) -> int | None:
        parts = [self.population_children_0_6, self.population_children_7_14]
        if all(part is None for part in parts):
            return None
        return sum(part or 0 for part in parts)

    def population_for(self, group: str) -> int | None:
        """The population of a target group, or None where there is no figure."""
        return {
            TargetGroup.ALL: self.population_total,
            TargetGroup.ELDERLY: self.population_elderly,
            TargetGroup.CHILDREN: self.population_children,
            TargetGroup.DISABLED: self.population_disabled,
            # No separate statistic for workers: the working-age population stands in.
            TargetGroup.WORKERS: self.population_total,
        }[group]


class LifeCircleLevel(models.TextChoices):
    """GB 50180-2018 names its levels in minutes but sets them as walking distances; the
    labels say the distance, which is what the app measures."""

    BLOCK = "block", _("Neighbourhood block")
    FIVE = "5min", _("5-minute life circle (300 m)")
    TEN = "10min", _("10-minute life circle (about 500 m)")
    FIFTEEN = "15min", _("15-minute life circle (800–1,000 m)")
    NONE = "none", _("Inside a hub (no own standard)")


class AgeBand(models.TextChoices):
    """The age band a service is for, finer than the target group (a nursery is for 0–3)."""

    ALL = "all", _("All ages")
    INFANTS = "0-3", _("Children 0–3")
    PRESCHOOL = "3-6", _("Children 3–6")
    SCHOOL = "6-12", _("Children 6–12")
    ELDERLY = "60+", _("Elderly 60+")
    DISABLED = "disabled", _("Disabled people")


class ThresholdBasis(models.TextChoices):
    """Whether the standard states the walking threshold as a distance or as a time."""

    DISTANCE = "distance", _("distance in metres")
    TIME = "time", _("time in minutes")


class PremisesType(models.TextChoices):
    """What kind of building a site is: the standards allow a service only in some."""

    SHOPFRONT = "shopfront", _("Shopfront")
    COMMITTEE_OFFICE = "committee_office", _("Neighbourhood committee office")
    COMMUNITY_CENTRE = "community_centre", _("Community centre")
    HEALTH_STATION = "health_station", _("Health station")
    KINDERGARTEN = "kindergarten", _("Kindergarten or school")
    PARK = "park", _("Park or open space")
    OFFICE = "office", _("Office")
    RESIDENTIAL_GROUND = "residential_ground", _("Residential ground floor")
    OTHER = "other", _("Other")


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
    threshold_basis = models.CharField(
        _("threshold stated as"),
        max_length=10,
        choices=ThresholdBasis,
        default=ThresholdBasis.DISTANCE,
        help_text=_("The threshold is kept in metres; this says how the standard states it."),
    )
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand, default=AgeBand.ALL)
    per_thousand_m2 = models.DecimalField(
        _("floor area per 1,000 residents (m²)"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The standard's per-1,000-resident ratio (千人指标) as floor area."),
    )
    per_thousand_places = models.DecimalField(
        _("places per 1,000 residents"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The standard's per-1,000-resident ratio (千人指标) as places or seats."),
    )
    m2_per_place = models.DecimalField(
        _("floor area per place (m²)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text=_("Where the standard gives one: a site's capacity is its floor area / this."),
    )
    allowed_premises = models.JSONField(
        _("premises that may host it"),
        default=list,
        blank=True,
        help_text=_("Premises types; none ticked means any."),
    )
    needs_ground_floor = models.BooleanField(_("needs the ground floor"), default=False)
    needs_outdoor_space = models.BooleanField(_("needs outdoor space"), default=False)
    sources = models.JSONField(
        _("sources of the numbers"),
        default=dict,
        blank=True,
        help_text=_(
            "Per number (threshold_m, min_floor_area_m2, …): source, clause, status (R, R2, U, "
            "story) and a note."
        ),
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

    def clean(self) -> None:
        super().clean()
        errors = {}
        if not isinstance(self.allowed_premises, list) or not set(self.allowed_premises) <= set(
            PremisesType.values
        ):
            errors["allowed_premises"] = _("List premises types from the choices.")
        if problem := sources_problem(self.sources):
            errors["sources"] = problem
        if errors:
            raise ValidationError(errors)

    def source_for(self, number: str) -> "NumberSource":
        """Where one number comes from: its own entry in `sources`, else the service's standard."""
        entry = (self.sources or {}).get(number) or {}
        return NumberSource(
            number=number,
            source=entry.get("source", self.standard),
            clause=entry.get("clause", ""),
            status=entry.get("status", self.standard_status),
            note=entry.get("note", ""),
        )

    @property
    def name(self) -> str:
        return in_active_language(self.name_zh, self.name_en)

    def allows_premises(self, premises_type: str) -> bool:
        return not self.allowed_premises or premises_type in self.allowed_premises

    def get_allowed_premises_display(self) -> list[str]:
        labels = dict(PremisesType.choices)
        return [str(labels.get(value, value)) for value in self.allowed_premises or []]

    @property
    def threshold_minutes(self) -> list[tuple[int, float]]:
        """The threshold as minutes at the general and the elderly walking speed."""
        if not self.threshold_m:
            return []
        speeds = (WALKING_SPEED_M_PER_MIN, ELDERLY_WALKING_SPEED_M_PER_MIN)
        return [(round(speed), round(self.threshold_m / speed, 1)) for speed in speeds]


@dataclass(frozen=True)
class NumberSource:
    number: str
    source: str
    clause: str
    status: str
    note: str

    @property
    def status_label(self) -> str:
        return str(dict(StandardStatus.choices).get(self.status, self.status))

    @property
    def confirmed(self) -> bool:
        return self.status == StandardStatus.READ


# The numbers of a service type that carry their own source.
SOURCED_NUMBERS = (
    "threshold_m",
    "min_floor_area_m2",
    "max_floor_area_m2",
    "per_thousand_m2",
    "per_thousand_places",
    "m2_per_place",
    "allowed_premises",
)
_SOURCE_KEYS = {"source", "clause", "status", "note"}


def sources_problem(sources: object) -> str | None:
    """Why a `sources` value is malformed, or None: the admin and the form say it by the field."""
    if not isinstance(sources, dict):
        return _("Give an object keyed by number name.")
    for number, entry in sources.items():
        if number not in SOURCED_NUMBERS:
            return _("Unknown number “%(number)s”; use one of %(numbers)s.") % {
                "number": number,
                "numbers": ", ".join(SOURCED_NUMBERS),
            }
        if not isinstance(entry, dict) or not set(entry) <= _SOURCE_KEYS:
            return _("Each number takes source, clause, status and note.")
        if not all(isinstance(value, str) for value in entry.values()):
            return _("Each number takes source, clause, status and note.")
        if entry.get("status", StandardStatus.UNCONFIRMED) not in StandardStatus.values:
            return _("A status is one of R, R2, U or story.")
    return None
