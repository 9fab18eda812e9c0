"""Linking the two: scenarios, their saved results and optimisation runs."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fenglin.i18n import in_active_language
from fenglin.versioning import VersionedModel
from siting.constants import ELDERLY_WALKING_SPEED_M_PER_MIN, WALKING_SPEED_M_PER_MIN

# The scenario's defaults are the app-wide walking speeds.
DEFAULT_SPEED = round(WALKING_SPEED_M_PER_MIN)
DEFAULT_ELDERLY_SPEED = round(ELDERLY_WALKING_SPEED_M_PER_MIN)
DEFAULT_K = Decimal("10")


class Scenario(VersionedModel):
    """A named what-if: today's operating sites, plus the sites it adds, minus those it closes.

    The base is read live, so a scenario follows changes in the register; its saved results carry
    a fingerprint of every input and are recomputed whenever one changed.

    Versioned: an edit form saved over someone else's newer save is refused (fenglin.versioning);
    the history records the surveys and closed sites too, so a change to either is seen.
    """

    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    description = models.TextField(_("description"), blank=True)
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
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=["surveys", "closed_sites"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the page's language: English pages show name_en where there is one."""
        return in_active_language(self.name, self.name_en)

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


class RunLoss(models.TextChoices):
    """Why a run ended without its task saying so (the run's page explains it)."""

    WORKER_STOPPED = "worker", _("The worker stopped")
    TASK_LOST = "task", _("The task was lost before a worker took it")


def heartbeat_timeout() -> timedelta:
    """How long a running run may stay silent before it is taken for one whose worker died."""
    return timedelta(seconds=settings.RUN_HEARTBEAT_TIMEOUT)


def _silent(cutoff: datetime) -> Q:
    """Running, with no sign of life since ``cutoff`` (runs started before heartbeats existed
    count from their start)."""
    return Q(status=RunStatus.RUNNING) & (
        Q(heartbeat_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__isnull=True, created_at__lt=cutoff)
    )


class OptimisationRunQuerySet(models.QuerySet):
    """The run's state changes, each one conditional UPDATE.

    The condition is in the WHERE clause, so concurrent writers (the task, a second worker,
    every app server expiring silent runs) cannot undo each other: a finished run stays
    finished and a run that just gave a sign of life is not expired.
    """

    def start(self, *, now: datetime | None = None) -> int:
        """queued -> running, unless cancelled: a task started late or twice for a run that
        is already running, cancelled or failed never brings it back."""
        now = now or timezone.now()
        return self.filter(status=RunStatus.QUEUED, cancel_requested=False).update(
            status=RunStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            progress=5,
            stage=gettext_noop("Starting"),
        )

    def beat(self, *, now: datetime | None = None) -> int:
        """Record a sign of life of the running runs among these."""
        return self.filter(status=RunStatus.RUNNING).update(heartbeat_at=now or timezone.now())

    def silent(self, *, now: datetime | None = None) -> "OptimisationRunQuerySet":
        """Running runs whose worker gave no sign of life for longer than the timeout."""
        return self.filter(_silent((now or timezone.now()) - heartbeat_timeout()))

    def expire(self, *, now: datetime | None = None) -> int:
        """End the silent runs: failed because the worker stopped, or cancelled where the
        planner had asked for that. One UPDATE."""
        now = now or timezone.now()
        asked = Q(cancel_requested=True)
        return self.silent(now=now).update(
            status=Case(
                When(asked, then=Value(RunStatus.CANCELLED)), default=Value(RunStatus.FAILED)
            ),
            lost=Case(When(asked, then=Value("")), default=Value(RunLoss.WORKER_STOPPED)),
            stage=Case(
                When(asked, then=Value(gettext_noop("Cancelled"))),
                default=Value(gettext_noop("Failed")),
            ),
            finished_at=now,
        )

    def abandon(self, *, now: datetime | None = None) -> int:
        """Fail the queued runs among these: their task is gone and no worker will run it."""
        return self.filter(status=RunStatus.QUEUED).update(
            status=RunStatus.FAILED,
            lost=RunLoss.TASK_LOST,
            stage=gettext_noop("Failed"),
            finished_at=now or timezone.now(),
        )

    def cancel(self, *, now: datetime | None = None) -> int:
        """Cancel. A run no live worker holds (queued, or running but silent) ends at once; a
        run a live worker holds is flagged, and its task stops at its next stage."""
        now = now or timezone.now()
        ended = self.filter(Q(status=RunStatus.QUEUED) | _silent(now - heartbeat_timeout()))
        count = ended.update(
            cancel_requested=True,
            status=RunStatus.CANCELLED,
            stage=gettext_noop("Cancelled"),
            finished_at=now,
        )
        return count + self.filter(status=RunStatus.RUNNING).update(cancel_requested=True)

    def end_running(self, *, status: str, stage: str, error: str = "") -> int:
        """running -> ``status``, for the task ending its own run; a run ended meanwhile (by
        a cancel or by expiry) keeps the end it was given."""
        return self.filter(status=RunStatus.RUNNING).update(
            status=status, stage=stage, error=error, finished_at=timezone.now()
        )


class OptimisationRun(models.Model):
    """One optimisation of a scenario for a service type, run as a background task.

    The shared-buildings model places several services at once (`service_type_ids`, no
    `service_type`); its `new_sites` is the number of buildings it may open besides those
    already hosting one of them. The task writes its progress here and checks
    `cancel_requested` between its stages; the result is saved as a new scenario
    (`result_scenario`). While it runs, the task touches `heartbeat_at`; a run silent for
    longer than `RUN_HEARTBEAT_TIMEOUT` lost its worker and is ended (`lost` says why).
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
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    lost = models.CharField(_("lost because"), max_length=10, choices=RunLoss, blank=True)

    objects = OptimisationRunQuerySet.as_manager()

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

    @property
    def failure_message(self) -> str:
        """What went wrong, in the reader's language: why the run was lost, or the error."""
        if self.lost == RunLoss.WORKER_STOPPED:
            last = self.heartbeat_at or self.started_at or self.created_at
            local = timezone.localtime(last)
            same_day = local.date() == timezone.localdate()
            return gettext(
                "The worker stopped (no sign of life since %(time)s); start the run again."
            ) % {"time": local.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")}
        if self.lost == RunLoss.TASK_LOST:
            return gettext(
                "The run's task was lost before a worker took it up; start the run again."
            )
        return self.error

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


class PremisesOverride(models.Model):
    """A planner's decision on one site for one service that overrides the premises screen
    (scenarios.premises): allow premises the standards would screen out, or refuse premises
    they would offer. A reason is required; the history keeps every earlier decision."""

    site = models.ForeignKey(
        "sites.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        related_name="premises_overrides",
    )
    service_type = models.ForeignKey(
        "sites.ServiceType",
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="premises_overrides",
    )
    allowed = models.BooleanField(_("offered to the optimiser"))
    reason = models.TextField(_("reason"), max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["service_type__order", "site__name"]
        verbose_name = _("premises decision")
        verbose_name_plural = _("premises decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "service_type"],
                name="premisesoverride_unique",
                violation_error_message=_("This site already has a decision for this service."),
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="premisesoverride_reason",
                violation_error_message=_("Say why."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} · {self.service_type}"
