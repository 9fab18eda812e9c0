"""Safety inspections: the rules saying what is due, inspections, their findings and photos.

The models belong to the `sites` app (label "sites", tables sites_inspection and so on);
sites/models.py imports this module so that Django registers them with the app. Sites and
service types are named by string, so this module imports nothing of sites.models.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InspectionKind(models.TextChoices):
    FOOD = "food", _("Food safety")
    FIRE = "fire", _("Fire safety")
    BUILDING = "building", _("Building safety")


class InspectionMode(models.TextChoices):
    SELF_CHECK = "self", _("Self-check")
    JOINT = "joint", _("Joint inspection")


class InspectionRule(models.Model):
    """How often a kind of inspection is due where a service type is offered.

    A rule without a service type applies to every operating site.
    """

    service_type = models.ForeignKey(
        "sites.ServiceType",
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="inspection_rules",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind)
    mode = models.CharField(_("mode"), max_length=20, choices=InspectionMode)
    interval_months = models.PositiveSmallIntegerField(
        _("every (months)"), validators=[MinValueValidator(1), MaxValueValidator(24)]
    )

    class Meta:
        ordering = ["kind", "mode"]
        verbose_name = _("inspection rule")
        verbose_name_plural = _("inspection rules")
        constraints = [
            models.UniqueConstraint(
                fields=["service_type", "kind", "mode"], name="inspectionrule_unique"
            ),
            # NULL service types are distinct in SQL: a partial constraint keeps one general
            # rule per kind and mode.
            models.UniqueConstraint(
                fields=["kind", "mode"],
                condition=Q(service_type__isnull=True),
                name="inspectionrule_unique_general",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_mode_display()} / {self.interval_months}"


class InspectionResult(models.TextChoices):
    PASS = "pass", _("Pass")
    RECTIFY = "rectify", _("Rectify")
    FAIL = "fail", _("Fail")


class Inspection(models.Model):
    """One safety inspection of a site. Due and overdue are derived from the rules."""

    site = models.ForeignKey(
        "sites.Site", verbose_name=_("site"), on_delete=models.CASCADE, related_name="inspections"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind)
    mode = models.CharField(_("mode"), max_length=20, choices=InspectionMode)
    date = models.DateField(_("date"))
    inspectors = models.CharField(_("inspectors"), max_length=200)
    result = models.CharField(_("result"), max_length=20, choices=InspectionResult)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["site", "kind", "mode", "date"])]

    def __str__(self) -> str:
        return f"{self.site} · {self.get_kind_display()} · {self.date}"

    @property
    def general_photos(self) -> list["InspectionPhoto"]:
        """Photos of the inspection as a whole; each finding shows its own (from the prefetch)."""
        return [photo for photo in self.photos.all() if photo.finding_id is None]


class Finding(models.Model):
    """A problem an inspection found, with its rectification deadline and closure."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="findings"
    )
    description = models.TextField(_("finding"))
    rectify_by = models.DateField(_("rectify by"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_notes = models.TextField(_("closure notes"), blank=True)
    # Who checked the rectification and when they recorded it (closed_on is the day it was
    # rectified, which may be earlier).
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        ordering = ["rectify_by", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class PhotoStage(models.TextChoices):
    FOUND = "found", _("As found")
    RECTIFIED = "rectified", _("After rectification")


class InspectionPhoto(models.Model):
    """A photo of an inspection; with `finding`, of that finding, as found or as rectified."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    finding = models.ForeignKey(
        Finding,
        verbose_name=_("finding"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=PhotoStage, default=PhotoStage.FOUND
    )
    image = models.FileField(_("photo"), upload_to="inspections/%Y/%m/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage="rectified") | Q(finding__isnull=False),
                name="inspectionphoto_rectified_has_finding",
            )
        ]

    def __str__(self) -> str:
        return self.image.name
