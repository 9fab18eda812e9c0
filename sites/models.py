"""Where: areas, sites and their lifecycle, the services they offer, staff areas. The catalogue
(sites.catalogue), walking routes (sites.routes) and safety (sites.safety) are imported here."""

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Case, Q, Sum, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fenglin.i18n import in_active_language
from fenglin.versioning import VersionedModel
from sites.catalogue import (  # noqa: F401  (the catalogue's models are imported from here)
    AgeBand,
    LifeCircleLevel,
    PopulationByGroup,
    PremisesType,
    ServiceCategory,
    ServiceType,
    StandardStatus,
    TargetGroup,
)
from sites.fields import StrictJSONField
from sites.validators import (
    validate_latitude_in_region,
    validate_longitude_in_region,
    validate_polygon_geojson,
)


class Area(PopulationByGroup, VersionedModel):
    """A neighbourhood committee's (居委会) area with its population by group.

    Versioned: an edit form saved over someone else's newer save is refused (fenglin.versioning).
    """

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    boundary = StrictJSONField(
        _("boundary"),
        null=True,
        blank=True,
        validators=[validate_polygon_geojson],
        help_text=_("Optional GeoJSON Polygon in WGS-84 (longitude, latitude)."),
    )
    centroid_lat = models.DecimalField(
        _("centroid latitude"),
        max_digits=8,
        decimal_places=6,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    centroid_lng = models.DecimalField(
        _("centroid longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    population_total = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_elderly = models.PositiveIntegerField(_("elderly 60+"), null=True, blank=True)
    population_children_0_6 = models.PositiveIntegerField(_("children 0–6"), null=True, blank=True)
    population_children_7_14 = models.PositiveIntegerField(
        _("children 7–14"), null=True, blank=True
    )
    population_disabled = models.PositiveIntegerField(_("disabled"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    illustrative = models.BooleanField(
        _("illustrative data"),
        default=False,
        help_text=_("Coordinates or figures are approximate demo values."),
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    # What staff set, in the order files have them: the area form, the admin, the import and
    # the export all use this list.
    EDITABLE_FIELDS = (
        "code",
        "name",
        "name_en",
        "centroid_lat",
        "centroid_lng",
        "population_total",
        "population_elderly",
        "population_children_0_6",
        "population_children_7_14",
        "population_disabled",
        "households",
        "illustrative",
        "notes",
        "boundary",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.CheckConstraint(
                condition=Q(population_total__isnull=True)
                | Q(population_elderly__isnull=True)
                | Q(population_elderly__lte=models.F("population_total")),
                name="area_elderly_within_total",
                violation_error_message=_("The elderly cannot outnumber the whole population."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the page's language: English pages show name_en where there is one."""
        return in_active_language(self.name, self.name_en)

    def get_absolute_url(self) -> str:
        return reverse("sites:area_detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        if self.boundary and self.centroid_lat is not None and self.centroid_lng is not None:
            from shapely.geometry import Point, shape

            try:
                validate_polygon_geojson(self.boundary)
            except ValidationError:
                return  # the boundary field reports its own error
            polygon = shape(self.boundary)
            centroid = Point(float(self.centroid_lng), float(self.centroid_lat))
            if not polygon.buffer(0.002).contains(centroid):
                raise ValidationError(
                    {"centroid_lat": _("The centre point lies outside the area's boundary.")}
                )


class Ownership(models.TextChoices):
    STATE = "state", _("State-owned")
    STREET = "street", _("Street office")
    COLLECTIVE = "collective", _("Collective")
    LEASED = "leased", _("Leased")
    PRIVATE = "private", _("Private")
    OTHER = "other", _("Other")


class SiteStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    SELECTED = "selected", _("Selected")
    BUILDING = "building", _("Being built")
    OPERATING = "operating", _("Operating")
    CLOSED = "closed", _("Closed")


# Which status may follow which. Closing is possible from any open state; a closed site may be
# reconsidered as a candidate.
SITE_TRANSITIONS: dict[str, set[str]] = {
    SiteStatus.CANDIDATE: {SiteStatus.SELECTED, SiteStatus.CLOSED},
    SiteStatus.SELECTED: {SiteStatus.CANDIDATE, SiteStatus.BUILDING, SiteStatus.CLOSED},
    SiteStatus.BUILDING: {SiteStatus.OPERATING, SiteStatus.CLOSED},
    SiteStatus.OPERATING: {SiteStatus.CLOSED},
    SiteStatus.CLOSED: {SiteStatus.CANDIDATE},
}


def _check_step(from_status: str, to_status: str, reason: str | None = None) -> None:
    """Refuse a step SITE_TRANSITIONS does not allow and, when a reason is given, a closure
    without one: the one check and the one message of the status page, the admin and imports
    (a ValidationError keyed by the model's fields)."""
    if to_status not in SiteStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if to_status not in SITE_TRANSITIONS.get(from_status, set()):
        raise ValidationError(
            {
                "status": _("A site cannot go from “%(from)s” to “%(to)s”.")
                % {"from": SiteStatus(from_status).label, "to": SiteStatus(to_status).label}
            }
        )
    if reason is not None and to_status == SiteStatus.CLOSED and not reason.strip():
        raise ValidationError({"closed_reason": _("Say why the site is closed.")})


# The hazard flag that open findings of each inspection kind raise on their site.
HAZARD_FIELDS = {"fire": "hazard_fire", "building": "hazard_building", "food": "hazard_food"}


class SiteQuerySet(models.QuerySet):
    def unarchived(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)

    def with_status_rank(self):
        """`status_rank`: the status's place in the lifecycle, to sort by it."""
        return self.annotate(
            status_rank=Case(
                *(When(status=value, then=Value(rank)) for rank, value in enumerate(SiteStatus)),
                output_field=models.IntegerField(),
            )
        )

    # An archived site was entered by mistake: it neither operates nor is a candidate.
    def operating(self):
        return self.filter(status=SiteStatus.OPERATING, archived_at__isnull=True)

    def candidates(self):
        return self.filter(
            status__in=[SiteStatus.CANDIDATE, SiteStatus.SELECTED], archived_at__isnull=True
        )

    def hazardous(self):
        return self.filter(Q(hazard_fire=True) | Q(hazard_building=True) | Q(hazard_food=True))

    def without_hazards(self):
        return self.filter(hazard_fire=False, hazard_building=False, hazard_food=False)

    def offering(self, service_type):
        return self.filter(services__service_type=service_type).distinct()


class Site(VersionedModel):
    """A place that hosts, or could host, community services.

    Versioned: an edit form saved over someone else's newer save is refused (fenglin.versioning).
    """

    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Optional stable reference (letters, digits, - and _): imports update by it."),
    )
    address = models.CharField(_("address"), max_length=200)
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
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="sites",
        null=True,
        blank=True,
    )
    floor_area_m2 = models.DecimalField(
        _("floor area (m²)"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    ownership = models.CharField(
        _("ownership"), max_length=20, choices=Ownership, default=Ownership.OTHER
    )
    premises_type = models.CharField(
        _("premises type"), max_length=20, choices=PremisesType, default=PremisesType.OTHER
    )
    ground_floor = models.BooleanField(_("on the ground floor"), default=False)
    outdoor_space = models.BooleanField(_("has outdoor space"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=SiteStatus, default=SiteStatus.CANDIDATE
    )
    closed_reason = models.TextField(_("reason for closing"), blank=True)
    hazard_fire = models.BooleanField(_("fire hazard"), default=False)
    hazard_building = models.BooleanField(_("building hazard"), default=False)
    hazard_food = models.BooleanField(_("food safety hazard"), default=False)
    visitors_per_month = models.PositiveIntegerField(_("visitors per month"), null=True, blank=True)
    illustrative = models.BooleanField(
        _("illustrative location"),
        default=False,
        help_text=_("The coordinates are approximate demo values."),
    )
    notes = models.TextField(_("notes"), blank=True)
    archived_at = models.DateTimeField(
        _("archived"),
        null=True,
        blank=True,
        help_text=_("Set for a site entered by mistake: hidden from lists, kept with its history."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = SiteQuerySet.as_manager()

    # What staff set, in the order files have them: the site form (without closed_reason,
    # which the status page sets), the admin, the import and the export. Hazard flags are not
    # among them: they follow open inspection findings (refresh_hazards).
    EDITABLE_FIELDS = (
        "code",
        "name",
        "name_en",
        "address",
        "latitude",
        "longitude",
        "area",
        "floor_area_m2",
        "ownership",
        "premises_type",
        "ground_floor",
        "outdoor_space",
        "status",
        "closed_reason",
        "visitors_per_month",
        "illustrative",
        "notes",
    )
    # The status as last read from or written to the database ("" for a new site): clean()
    # checks a new status that a form or a file sets against it.
    stored_status = ""

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        indexes = [models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(closed_reason=""),
                name="site_closed_needs_reason",
                violation_error_message=_("A closed site needs a reason for closing."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the page's language: English pages show name_en where there is one."""
        return in_active_language(self.name, self.name_en)

    def get_absolute_url(self) -> str:
        return reverse("sites:site_detail", args=[self.pk])

    @property
    def has_hazard(self) -> bool:
        return self.hazard_fire or self.hazard_building or self.hazard_food

    @transaction.atomic
    def refresh_hazards(self) -> list[str]:
        """Set the hazard flags from the open findings of the site's inspections, save the ones
        that changed and return their names.

        The flags are derived: the safety services call this whenever a finding opens or
        closes, and nothing else writes them. The row is locked first, so that two inspectors
        closing the last two findings at once cannot leave a flag raised.
        """
        locked = type(self).objects.select_for_update().get(pk=self.pk)
        open_kinds = set(
            # Both conditions on one join: an inspection without findings is not "open".
            self.inspections.filter(findings__isnull=False, findings__closed_on__isnull=True)
            .order_by()
            .values_list("kind", flat=True)
            .distinct()
        )
        changed = []
        for kind, field in HAZARD_FIELDS.items():
            flagged = kind in open_kinds
            if getattr(locked, field) != flagged:
                setattr(locked, field, flagged)
                changed.append(field)
            setattr(self, field, flagged)
        if changed:
            # save() rather than update(): the change belongs in the site's history.
            locked.save(update_fields=[*changed, "updated_at"])
            self.updated_at = locked.updated_at
        return changed

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        site = super().from_db(db, field_names, values, **kwargs)
        site.stored_status = site.__dict__.get("status", "")
        return site

    def refresh_from_db(self, *args, **kwargs) -> None:
        super().refresh_from_db(*args, **kwargs)
        fields = kwargs.get("fields")
        if fields is None or "status" in fields:
            self.stored_status = self.status

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "status" in update_fields:
            self.stored_status = self.status

    # --- The lifecycle ----------------------------------------------------------------------

    def next_statuses(self) -> set[str]:
        """The statuses this site may move to from its current one."""
        return set(SITE_TRANSITIONS.get(self.status, set()))

    def can_move_to(self, status: str) -> bool:
        return status in self.next_statuses()

    def check_move(self, status: str, *, reason: str | None = None) -> None:
        """Raise ValidationError (keyed "status" or "closed_reason") unless the lifecycle lets
        this site move from its current status to `status`, with `reason` when closing."""
        _check_step(self.status, status, reason)

    def move_to(self, status: str, *, reason: str = "", user=None) -> "SiteStatusChange":
        """Move the site one step along its lifecycle, save it and record who, when and why:
        the one way a saved site's status changes (the status page and the admin through
        sites.services, which lock the row first). An import's rows pass the same check in
        clean() and are recorded by the same SiteStatusChange.objects.record()."""
        reason = (reason or "").strip()
        self.check_move(status, reason=reason)
        from_status = self.status
        self.status = status
        # The reason for an earlier closure stays in the status history.
        self.closed_reason = reason if status == SiteStatus.CLOSED else ""
        self.save(update_fields=["status", "closed_reason", "updated_at"])
        [change] = SiteStatusChange.objects.record([(self, from_status)], user=user, reason=reason)
        return change

    def clean(self) -> None:
        super().clean()
        if self.stored_status and self.status != self.stored_status:
            _check_step(self.stored_status, self.status)
        if self.status == SiteStatus.CLOSED and not self.closed_reason.strip():
            raise ValidationError({"closed_reason": _("Say why the site is closed.")})
        if self.pk is not None and self.floor_area_m2 is not None:
            used = self.services_floor_area()
            if used > self.floor_area_m2:
                raise ValidationError(
                    {
                        "floor_area_m2": _(
                            "The services here use %(used)s m²: %(over)s m² more than this "
                            "floor area."
                        )
                        % {"used": used, "over": used - self.floor_area_m2}
                    }
                )

    def services_floor_area(self, exclude_pk: int | None = None) -> Decimal:
        if exclude_pk is None and hasattr(self, "floor_area_in_services"):
            # Annotated by the query (an import checks a whole file of sites): no query here.
            return self.floor_area_in_services or Decimal(0)
        services = self.services.all()
        if exclude_pk is not None:
            services = services.exclude(pk=exclude_pk)
        return services.aggregate(total=Sum("floor_area_m2"))["total"] or Decimal(0)


class SiteStatusChangeQuerySet(models.QuerySet):
    def record(
        self, steps: Iterable[tuple[Site, str]], *, user=None, reason: str = ""
    ) -> list["SiteStatusChange"]:
        """Write the history rows of status steps already saved, one per (site, the status it
        came from: "" for a new site). The one writer of the status history: Site.move_to, a
        new site's first status and an import's batch all come here. A closed site's row gives
        its reason for closing."""
        changed_by = user if user is not None and user.is_authenticated else None
        rows = [
            self.model(
                site=site,
                from_status=from_status,
                to_status=site.status,
                reason=site.closed_reason if site.status == SiteStatus.CLOSED else reason,
                changed_by=changed_by,
            )
            for site, from_status in steps
        ]
        return self.bulk_create(rows, batch_size=500)


class SiteStatusChange(models.Model):
    """One step of a site's lifecycle: who moved it, when, and why. Written only through
    `SiteStatusChange.objects.record()`."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=SiteStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=SiteStatus)
    reason = models.TextField(_("reason"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    objects = SiteStatusChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.site}: {self.from_status} → {self.to_status}"


class ServiceStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class SiteServiceQuerySet(models.QuerySet):
    def operating(self):
        """Services running today at operating sites."""
        return self.filter(status=ServiceStatus.OPERATING, site__status=SiteStatus.OPERATING)


class SiteService(models.Model):
    """A service offered, or planned, at a site."""

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="services"
    )
    service_type = models.ForeignKey(
        ServiceType,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="site_services",
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
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    operator = models.CharField(_("operator"), max_length=150, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ServiceStatus, default=ServiceStatus.OPERATING
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()
    objects = SiteServiceQuerySet.as_manager()

    class Meta:
        ordering = ["site", "service_type__order"]
        verbose_name = _("site service")
        verbose_name_plural = _("site services")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "service_type"],
                name="siteservice_unique_per_site",
                violation_error_message=_("This site already offers this service."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} · {self.service_type}"

    def clean(self) -> None:
        super().clean()
        if self.floor_area_m2 is None or self.site_id is None:
            return
        site_area = self.site.floor_area_m2
        if site_area is None:
            return
        used = self.site.services_floor_area(exclude_pk=self.pk) + self.floor_area_m2
        if used > site_area:
            raise ValidationError(
                {
                    "floor_area_m2": _(
                        "The services would use %(used)s m² but the site has %(site)s m²: "
                        "%(over)s m² too much."
                    )
                    % {"used": used, "site": site_area, "over": used - site_area}
                }
            )


class StaffProfile(models.Model):
    """Extra facts about a staff user: the committee area they work for, if any."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("committee area"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("Committee staff see and enter data for this area only."),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return str(self.user)


# Walking routes and the safety models belong to this app too: importing them here registers
# them when Django loads sites.models. Safety's models are imported from sites.safety.models.
from sites.residential import ResidentialPoint  # noqa: E402, F401
from sites.routes import RouteStop, WalkingRoute  # noqa: E402, F401
from sites.safety import models as _safety_models  # noqa: E402, F401
from sites.street import Street  # noqa: E402, F401
from sites.walking import WalkingNetwork  # noqa: E402, F401
