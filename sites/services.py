"""Writes for the sites register. Views validate with forms and call these."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fenglin.versioning import Loaded, ensure_unchanged
from sites.models import (
    Area,
    ServiceType,
    Site,
    SiteService,
    SiteStatus,
    SiteStatusChange,
)


@transaction.atomic
def create_site(*, site: Site, user) -> Site:
    """Save a new, validated site and record its first status.

    A site registered without an area gets the one its coordinates fall in (or next to).
    """
    if site.area_id is None:
        from sites.selectors import area_for_point

        site.area = area_for_point(site.latitude, site.longitude)
    site.save()
    SiteStatusChange.objects.create(
        site=site,
        from_status="",
        to_status=site.status,
        reason=site.closed_reason if site.status == SiteStatus.CLOSED else "",
        changed_by=_user_or_none(user),
    )
    return site


@transaction.atomic
def update_site(*, site: Site, user, loaded: Loaded | None = None) -> Site:
    """Save a validated site's edits. The status changes only through change_site_status.

    Raises EditConflict when someone else saved a field of the form since it was loaded.
    """
    ensure_unchanged(site, loaded)
    site.save()
    return site


@transaction.atomic
def change_site_status(*, site: Site, to_status: str, reason: str, user) -> SiteStatusChange:
    """Move a site along its lifecycle (SITE_TRANSITIONS) and record who, when and why.

    Raises ValidationError for a step the lifecycle does not allow or a closure without reason.
    """
    reason = (reason or "").strip()
    # Lock the row: two people changing the status at once must not both pass the check.
    locked = Site.objects.select_for_update().get(pk=site.pk)
    if to_status not in SiteStatus.values:
        raise ValidationError({"to_status": _("Unknown status.")})
    if not locked.can_move_to(to_status):
        raise ValidationError(
            {
                "to_status": _("A site cannot go from “%(from)s” to “%(to)s”.")
                % {
                    "from": SiteStatus(locked.status).label,
                    "to": SiteStatus(to_status).label,
                }
            }
        )
    if to_status == SiteStatus.CLOSED and not reason:
        raise ValidationError({"reason": _("Say why the site is closed.")})
    from_status = locked.status
    locked.status = to_status
    # The reason for an earlier closure stays in the status history.
    locked.closed_reason = reason if to_status == SiteStatus.CLOSED else ""
    locked.save(update_fields=["status", "closed_reason", "updated_at"])
    site.status, site.closed_reason = locked.status, locked.closed_reason
    return SiteStatusChange.objects.create(
        site=locked,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        changed_by=_user_or_none(user),
    )


def record_status_change(*, site: Site, from_status: str, reason: str, user) -> SiteStatusChange:
    """Record a status already saved elsewhere (the admin, an import)."""
    return SiteStatusChange.objects.create(
        site=site,
        from_status=from_status,
        to_status=site.status,
        reason=reason,
        changed_by=_user_or_none(user),
    )


@transaction.atomic
def save_site_service(*, service: SiteService) -> SiteService:
    """Save a validated service; the site's row is locked so two additions cannot together
    exceed its floor area."""
    site = Site.objects.select_for_update().get(pk=service.site_id)
    service.site = site
    service.full_clean()
    service.save()
    return service


@transaction.atomic
def delete_site_service(*, service: SiteService) -> None:
    service.delete()


@transaction.atomic
def save_area(*, area: Area, loaded: Loaded | None = None) -> Area:
    """Save a new or edited area; an edit raises EditConflict when someone else saved a field
    of the form since it was loaded."""
    ensure_unchanged(area, loaded)
    area.save()
    return area


@transaction.atomic
def save_service_type(*, service_type: ServiceType) -> ServiceType:
    service_type.save()
    return service_type


@transaction.atomic
def record_visitors(*, visitors: dict[int, int | None]) -> int:
    """Store staff's monthly visitor counts (site id -> count); returns how many changed."""
    changed = 0
    for site in Site.objects.select_for_update().filter(pk__in=list(visitors)):
        value = visitors[site.pk]
        if site.visitors_per_month != value:
            site.visitors_per_month = value
            site.save(update_fields=["visitors_per_month", "updated_at"])
            changed += 1
    return changed


def _user_or_none(user):
    return user if user is not None and user.is_authenticated else None
