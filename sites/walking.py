"""The walking network every process measures on: imported versions, at most one active.

Part of the sites app (its model registers as "sites.WalkingNetwork"); import it from
sites.models. Reading, importing and activating go through sites.network.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WalkingNetworkQuerySet(models.QuerySet):
    def active(self) -> "WalkingNetworkQuerySet":
        return self.filter(is_active=True)

    def without_lines(self) -> "WalkingNetworkQuerySet":
        """Everything but the lines: megabytes at city scale, needed only to build the graph."""
        return self.defer("lines")


class WalkingNetwork(models.Model):
    """One imported version of the street network that walking distances are measured on.

    ``lines`` holds the network's segments as GeoJSON-style lines ``[[lng, lat], [lng, lat]]``
    (WGS-84), one per segment of the built network, its vertices already merged: building a
    network from them gives back the very graph the import built. Stored in the database as
    JSON, so that every app server and worker reads the same version (at 80,000 segments about
    4 MB, read and rebuilt in under a second, once per process and version: see
    bench/bench_network_store.py). A version is never edited; a new import makes a new one.
    """

    name = models.CharField(_("name"), max_length=100)
    source_name = models.CharField(_("source file"), max_length=255, blank=True)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    illustrative = models.BooleanField(
        _("illustrative data"),
        default=False,
        help_text=_("The geometry is approximate demo data, not a survey of the streets."),
    )
    lines = models.JSONField(_("lines"), default=list)
    # Of the lines: stored so that lists and previews need not read them.
    segment_count = models.PositiveIntegerField(_("segments"), default=0)
    length_m = models.FloatField(_("total length (m)"), default=0)
    # SHA-256 of the lines: with the id, the key of the graph each process keeps (an id alone
    # can come back after a rolled-back import on SQLite).
    digest = models.CharField(_("digest"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=False)

    objects = WalkingNetworkQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("walking network")
        verbose_name_plural = _("walking networks")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="walking_network_one_active",
                violation_error_message=_("Only one walking network can be active."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.pk}" if self.pk else self.name
