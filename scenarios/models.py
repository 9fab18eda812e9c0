"""Linking the two: scenarios, their saved results and optimisation runs."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

DEFAULT_DETOUR = Decimal("1.30")
DEFAULT_SPEED = 70
DEFAULT_ELDERLY_SPEED = 50
DEFAULT_K = Decimal("10")


class Scenario(models.Model):
    """A named what-if: today's operating sites, plus the sites it adds, minus those it closes.

    The base is read live, so a scenario follows changes in the register; its saved results carry
    a fingerprint of every input and are recomputed whenever one changed.
    """

    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    detour_factor = models.DecimalField(
        _("detour factor"),
        max_digits=4,
        decimal_places=2,
        default=DEFAULT_DETOUR,
        validators=[MinValueValidator(Decimal("1.00")), MaxValueValidator(Decimal("3.00"))],
        help_text=_("Walking distance = straight-line distance × this factor."),
    )
    speed_m_per_min = models.PositiveSmallIntegerField(
        _("walking speed (m/min)"),
        default=DEFAULT_SPEED,
        validators=[MinValueValidator(20), MaxValueValidator(150)],
    )
    elderly_speed_m_per_min = models.PositiveSmallIntegerField(
        _("walking speed of the elderly (m/min)"),
        default=DEFAULT_ELDERLY_SPEED,
        validators=[MinValueValidator(10), MaxValueValidator(150)],
        help_text=_("Used for services for the elderly and disabled people."),
    )
    prior_strength = models.DecimalField(
        _("prior strength k"),
        max_digits=7,
        decimal_places=2,
        default=DEFAULT_K,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10000))],
        help_text=_("How many respondents' worth of weight the street-wide rate gets."),
    )
    surveys = models.ManyToManyField(
        "surveys.Survey",
        verbose_name=_("surveys used"),
        blank=True,
        related_name="scenarios",
        help_text=_("None ticked: every survey that is not a draft."),
    )
    closed_sites = models.ManyToManyField(
        "sites.Site",
        verbose_name=_("sites closed"),
        blank=True,
        related_name="closing_scenarios",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("scenarios:scenario_detail", args=[self.pk])


class ScenarioAddition(models.Model):
    """A service a scenario adds at a site (usually a candidate premises)."""

    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.CASCADE, related_name="additions"
    )
    site = models.ForeignKey(
        "sites.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="scenario_additions",
    )
    service_type = models.ForeignKey(
        "sites.ServiceType",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="scenario_additions",
    )
    floor_area_m2 = models.DecimalField(
        _("floor area (m²)"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    daily_capacity = models.PositiveIntegerField(_("daily capacity"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["scenario", "site__name", "service_type__order"]
        verbose_name = _("site added")
        verbose_name_plural = _("sites added")
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "site", "service_type"],
                name="scenarioaddition_unique",
                violation_error_message=_("The scenario already adds this service here."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} + {self.service_type}"


class ScenarioResult(models.Model):
    """The saved evaluation of one service type in a scenario.

    `fingerprint` hashes every input that went into `metrics`; a result whose fingerprint no
    longer matches the inputs is stale and is recomputed before it is shown.
    """

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="results")
    service_type = models.ForeignKey(
        "sites.ServiceType", on_delete=models.CASCADE, related_name="scenario_results"
    )
    fingerprint = models.CharField(max_length=64)
    metrics = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["scenario", "service_type__order"]
        verbose_name = _("scenario result")
        verbose_name_plural = _("scenario results")
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "service_type"], name="scenarioresult_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} · {self.service_type}"


class SitingModel(models.TextChoices):
    MCLP = "mclp", _("Maximal coverage (choose p sites, cover the most demand)")
    PMEDIAN = "pmedian", _("p-median (choose p sites, shortest total walk)")
    LSCP = "lscp", _("Fewest sites reaching a target share of demand")
    SHARED = "shared", _("Several services sharing buildings' floor area")


class SolveMethod(models.TextChoices):
    AUTO = "auto", _("Chosen by size")
    EXACT = "exact", _("Exact (proven optimum within the time limit)")
    HEURISTIC = "heuristic", _("Fast heuristic")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


FINISHED_STATUSES = {RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED}


class OptimisationRun(models.Model):
    """One optimisation of a scenario for a service type, run as a background task.

    The shared-buildings model places several services at once (`service_type_ids`, no
    `service_type`); its `new_sites` is the number of buildings it may open besides those
    already hosting one of them. The task writes its progress here and checks
    `cancel_requested` between its stages; the result is saved as a new scenario
    (`result_scenario`).
    """

    scenario = models.ForeignKey(
        Scenario,
        verbose_name=_("scenario"),
        on_delete=models.CASCADE,
        related_name="optimisation_runs",
    )
    model = models.CharField(_("model"), max_length=10, choices=SitingModel)
    service_type = models.ForeignKey(
        "sites.ServiceType",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="optimisation_runs",
        null=True,
        blank=True,
    )
    service_type_ids = models.JSONField(_("services"), default=list, blank=True)
    new_sites = models.PositiveSmallIntegerField(
        _("new sites to open (p)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    target_share = models.DecimalField(
        _("target share of demand"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1"))],
    )
    locked_site_ids = models.JSONField(_("locked sites"), default=list, blank=True)
    excluded_site_ids = models.JSONField(_("excluded sites"), default=list, blank=True)
    method = models.CharField(
        _("method"), max_length=10, choices=SolveMethod, default=SolveMethod.AUTO
    )
    time_limit_s = models.PositiveSmallIntegerField(
        _("time limit (s)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus, default=RunStatus.QUEUED
    )
    stage = models.CharField(_("stage"), max_length=200, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    task_result_id = models.CharField(max_length=64, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    result_scenario = models.ForeignKey(
        Scenario,
        verbose_name=_("resulting scenario"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="produced_by_runs",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("optimisation run")
        verbose_name_plural = _("optimisation runs")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="optimisationrun_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(model="lscp", target_share__isnull=False)
                | (~Q(model="lscp") & Q(new_sites__isnull=False)),
                name="optimisationrun_parameters_of_model",
                violation_error_message=_(
                    "Give the number of new sites, or for the fewest-sites model a target share."
                ),
            ),
            models.CheckConstraint(
                condition=Q(model="shared", service_type__isnull=True)
                | (~Q(model="shared") & Q(service_type__isnull=False)),
                name="optimisationrun_one_service_unless_shared",
            ),
        ]

    def __str__(self) -> str:
        services = self.service_type or ", ".join(t.name for t in self.shared_service_types())
        return f"{self.get_model_display()} · {services} · {self.created_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("scenarios:run_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    def clean(self) -> None:
        super().clean()
        if self.model == SitingModel.LSCP and self.target_share is None:
            raise ValidationError({"target_share": _("Give the share of demand to reach.")})
        if self.model != SitingModel.LSCP and not self.new_sites:
            raise ValidationError({"new_sites": _("Give the number of new sites to open.")})
        if self.model == SitingModel.SHARED and len(self.service_type_ids) < 2:
            raise ValidationError({"service_type_ids": _("Choose at least two services.")})

    def shared_service_types(self) -> list:
        """The services a shared-buildings run places, in catalogue order."""
        from sites.models import ServiceType

        return list(ServiceType.objects.filter(pk__in=self.service_type_ids))
