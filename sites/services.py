"""Writes for the sites register. Forms validate (the staff pages, the admin, an import's row
forms); these save.

A site has one save path whichever way it comes: `create_site(s)` places it in its area and
records its first status, `update_site(s)` saves edits, and every status step goes through
the model's lifecycle (Site.move_to, SiteStatusChange.objects.record). The plural forms take a
whole file's records in a few queries per batch, never one per record.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from fenglin.archive import set_archived
from fenglin.versioning import Loaded, ensure_unchanged
from sites.models import (
    Area,
    ServiceStatus,
    ServiceType,
    Site,
    SiteService,
    SiteStatus,
    SiteStatusChange,
)
from sites.signals import places_changed

# Rows per INSERT or UPDATE (and per history insert).
BATCH = 500
# The status page's names for the model's fields.
_STATUS_FORM_FIELDS = {"status": "to_status", "closed_reason": "reason"}


# --- Sites ---------------------------------------------------------------------------------


@transaction.atomic
def create_site(*, site: Site, user, reason: str = "") -> Site:
    """Save a new, validated site: see create_sites."""
    [created] = create_sites(sites=[site], user=user, reason=reason)
    return created


@transaction.atomic
def create_sites(*, sites: Sequence[Site], user, reason: str = "") -> list[Site]:
    """Save new, validated sites, each with its first status in the status history.

    A site registered without an area gets the one its coordinates fall in (the site form,
    the admin and an import alike).
    """
    _place_in_areas(sites)
    created = bulk_create_with_history(
        list(sites),
        Site,
        batch_size=BATCH,
        default_user=_user_or_none(user),
        default_change_reason=reason or None,
    )
    SiteStatusChange.objects.record(((site, "") for site in created), user=user, reason=reason)
    places_changed.send(sender=Site)
    for site in created:
        site.stored_status = site.status
    return created


@transaction.atomic
def update_site(*, site: Site, user, loaded: Loaded | None = None) -> Site:
    """Save a validated site's edits (the site form, the admin).

    Raises EditConflict when someone else saved a field of the form since it was loaded. A
    status the form changed moves the site as the status page does (Site.move_to: checked
    against the lifecycle from the status stored now, recorded once); a form that left the
    status alone keeps whatever is stored now, so it never undoes someone else's step.
    """
    ensure_unchanged(site, loaded)
    # Locked: two people moving the same site at once must not both pass the check.
    stored = Site.objects.select_for_update().values("status", "closed_reason").get(pk=site.pk)
    wanted, reason = site.status, site.closed_reason
    moved = wanted != site.stored_status
    if not moved and wanted == stored["status"]:
        site.save()
        return site
    site.status, site.closed_reason = stored["status"], stored["closed_reason"]
    site.save()
    if moved and wanted != stored["status"]:
        site.move_to(wanted, reason=reason, user=user)
    return site


@transaction.atomic
def update_sites(
    *, changes: Sequence[tuple[Site, dict]], fields: Sequence[str], user, reason: str = ""
) -> None:
    """Save validated edits of stored sites (an import), each given with the values it was
    loaded with: only the fields that changed are written. A status a row changed has passed
    the lifecycle check in the row's model validation (Site.clean) and is recorded here."""
    _update_changed(Site, changes, fields, user=user, reason=reason)
    SiteStatusChange.objects.record(
        (
            (site, before["status"])
            for site, before in changes
            if "status" in before and site.status != before["status"]
        ),
        user=user,
        reason=reason,
    )


@transaction.atomic
def archive_site(*, site: Site, user) -> Site:
    """Hide a site entered by mistake from the lists and from plans (closing is for a real
    site that stops: it has a reason and stays on the map). Undone by restore_site."""
    set_archived(site, archived=True, user=user)
    places_changed.send(sender=Site)
    return site


@transaction.atomic
def restore_site(*, site: Site, user) -> Site:
    set_archived(site, archived=False, user=user)
    places_changed.send(sender=Site)
    return site


@transaction.atomic
def change_site_status(*, site: Site, to_status: str, reason: str, user) -> SiteStatusChange:
    """The status page: move a site one step along its lifecycle (Site.move_to) with its row
    locked, so two people moving it at once cannot both pass the check.

    Raises ValidationError, keyed by the status form's fields, for a step the lifecycle does
    not allow or a closure without a reason.
    """
    locked = Site.objects.select_for_update().get(pk=site.pk)
    try:
        change = locked.move_to(to_status, reason=reason, user=user)
    except ValidationError as error:
        named = {_STATUS_FORM_FIELDS.get(k, k): v for k, v in error.error_dict.items()}
        raise ValidationError(named) from None
    site.status, site.closed_reason = locked.status, locked.closed_reason
    site.stored_status = locked.status
    return change


@transaction.atomic
def offer_services(
    *, offers: Sequence[tuple[Site, Sequence[ServiceType]]], user, reason: str = ""
) -> int:
    """Add each listed service to its site where the site does not offer it yet (an import
    lists services; none is removed): operating at an operating site, planned elsewhere.
    Returns how many were added."""
    sites = [site for site, service_types in offers if service_types]
    offered = set(
        SiteService.objects.filter(site__in=sites).values_list("site_id", "service_type_id")
    )
    new = []
    for site, service_types in offers:
        for service_type in service_types:
            if (site.pk, service_type.pk) in offered:
                continue
            offered.add((site.pk, service_type.pk))
            operating = site.status == SiteStatus.OPERATING
            new.append(
                SiteService(
                    site=site,
                    service_type=service_type,
                    status=ServiceStatus.OPERATING if operating else ServiceStatus.PLANNED,
                )
            )
    if new:
        bulk_create_with_history(
            new,
            SiteService,
            batch_size=BATCH,
            default_user=_user_or_none(user),
            default_change_reason=reason or None,
        )
    return len(new)


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


def _place_in_areas(sites: Sequence[Site]) -> None:
    """Give each site without an area the one its coordinates fall in, if any, with the
    areas read once for all of them."""
    from sites.selectors import area_for_point

    unplaced = [site for site in sites if site.area_id is None]
    areas = list(Area.objects.all()) if unplaced else []
    for site in unplaced:
        site.area = area_for_point(site.latitude, site.longitude, areas)


# --- Areas and the catalogue ---------------------------------------------------------------


@transaction.atomic
def save_area(*, area: Area, loaded: Loaded | None = None) -> Area:
    """Save a new or edited area; an edit raises EditConflict when someone else saved a field
    of the form since it was loaded."""
    ensure_unchanged(area, loaded)
    area.save()
    return area


@transaction.atomic
def create_areas(*, areas: Sequence[Area], user, reason: str = "") -> list[Area]:
    """Save new, validated areas (an import), a few queries per batch."""
    created = bulk_create_with_history(
        list(areas),
        Area,
        batch_size=BATCH,
        default_user=_user_or_none(user),
        default_change_reason=reason or None,
    )
    places_changed.send(sender=Area)
    return created


@transaction.atomic
def update_areas(
    *, changes: Sequence[tuple[Area, dict]], fields: Sequence[str], user, reason: str = ""
) -> None:
    """Save validated edits of stored areas (an import), each given with the values it was
    loaded with: only the fields that changed are written."""
    _update_changed(Area, changes, fields, user=user, reason=reason)


@transaction.atomic
def save_service_type(*, service_type: ServiceType) -> ServiceType:
    service_type.save()
    return service_type


# --- Helpers -------------------------------------------------------------------------------


def _update_changed(
    model: type[models.Model],
    changes: Sequence[tuple[models.Model, dict]],
    fields: Sequence[str],
    *,
    user,
    reason: str,
) -> None:
    """Update the records whose values differ from those they were loaded with, with their
    history records, a few queries per batch. Only the fields that changed are written; each
    changed record's version moves on as its save() would (fenglin.versioning), in the
    database, so that no two writers give out the same number."""
    opts = model._meta
    changed, changed_fields = [], set()
    for record, before in changes:
        differ = {
            name for name in fields if getattr(record, opts.get_field(name).attname) != before[name]
        }
        if differ:
            changed.append(record)
            changed_fields |= differ
    if changed:
        places_changed.send(sender=model)
    now = timezone.now()
    stamped = [f.name for f in opts.concrete_fields if getattr(f, "auto_now", False)]
    versioned = any(f.name == "version" for f in opts.concrete_fields)
    update_fields = [name for name in fields if name in changed_fields] + stamped
    for start in range(0, len(changed), BATCH):
        batch = changed[start : start + BATCH]
        if versioned:
            rows = model._base_manager.filter(pk__in=[record.pk for record in batch])
            rows.update(version=F("version") + 1)
            versions = dict(rows.values_list("pk", "version"))
        for record in batch:
            if versioned:
                record.version = versions[record.pk]
            for name in stamped:
                setattr(record, name, now)
        bulk_update_with_history(
            batch,
            model,
            update_fields,
            batch_size=BATCH,
            default_user=_user_or_none(user),
            default_change_reason=reason or None,
        )


def stored_values(record: models.Model, fields: Sequence[str]) -> dict:
    """A record's values as loaded, before a form changes them: what update_sites and
    update_areas compare with."""
    opts = record._meta
    return {name: getattr(record, opts.get_field(name).attname) for name in fields}


def _user_or_none(user):
    return user if user is not None and user.is_authenticated else None
