"""Writes for safety inspections: record an inspection, add a finding, close a finding.

A site's hazard flags follow its findings: an open finding of a kind (fire, building, food)
raises the site's flag for that kind, and closing the last open finding of the kind lowers it.
These writes are the only ones that open or close findings, and each ends with
`Site.refresh_hazards()`, the one place the flags are computed.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sites.models import Site, SiteStatus
from sites.safety.models import (
    Finding,
    Inspection,
    InspectionPhoto,
    InspectionResult,
    PhotoStage,
)
from sites.safety.schedules import shanghai_today


@dataclass(frozen=True)
class NewFinding:
    description: str
    rectify_by: date
    photos: Sequence[UploadedFile] = ()


@transaction.atomic
def record_inspection(
    *,
    site: Site,
    kind: str,
    mode: str,
    date: date,
    inspectors: str,
    result: str,
    notes: str = "",
    findings: Sequence[NewFinding] = (),
    photos: Iterable[UploadedFile] = (),
    user=None,
    today: date | None = None,
) -> Inspection:
    """Save an inspection with any number of findings, each with its own photos, and the
    inspection's general photos, all or nothing.

    A pass has no findings; rectify and fail name at least one. Each finding's deadline falls
    on or after the inspection. Raises ValidationError (keyed by field) otherwise.
    """
    today = today or shanghai_today()
    findings = [f for f in findings if f.description.strip()]
    errors: dict[str, str] = {}
    if site.status == SiteStatus.CLOSED:
        errors["site"] = _("This site is closed.")
    if date > today:
        errors["date"] = _("The inspection date cannot be in the future.")
    if result == InspectionResult.PASS and findings:
        errors["result"] = _(
            "A passed inspection has no findings to rectify: choose “Rectify” or “Fail”, "
            "or remove the findings."
        )
    elif result != InspectionResult.PASS and not findings:
        errors["result"] = _("Describe at least one finding for a result other than “Pass”.")
    if any(f.rectify_by < date for f in findings):
        errors["findings"] = _("A rectification deadline cannot fall before the inspection.")
    if errors:
        raise ValidationError(errors)

    inspection = Inspection(
        site=site,
        kind=kind,
        mode=mode,
        date=date,
        inspectors=inspectors.strip(),
        result=result,
        notes=notes,
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    inspection.full_clean()
    inspection.save()
    for new in findings:
        _save_finding(inspection, new)
    for photo in photos:
        InspectionPhoto.objects.create(inspection=inspection, image=photo)
    if findings:
        site.refresh_hazards()
    return inspection


def _save_finding(inspection: Inspection, new: NewFinding) -> Finding:
    finding = Finding.objects.create(
        inspection=inspection, description=new.description.strip(), rectify_by=new.rectify_by
    )
    for photo in new.photos:
        InspectionPhoto.objects.create(inspection=inspection, finding=finding, image=photo)
    return finding


@transaction.atomic
def add_finding(*, inspection: Inspection, finding: NewFinding) -> Finding:
    """One more finding of a recorded inspection (the way to add findings without JS).

    Only an inspection that asked for rectification takes findings, and only with a deadline
    on or after its date; the site's hazard flag for the kind goes up.
    """
    errors: dict[str, str] = {}
    if inspection.result == InspectionResult.PASS:
        errors["description"] = _("A passed inspection has no findings to rectify.")
    if not finding.description.strip():
        errors["description"] = _("Describe the finding.")
    if finding.rectify_by < inspection.date:
        errors["rectify_by"] = _("The deadline cannot fall before the inspection date.")
    if errors:
        raise ValidationError(errors)
    saved = _save_finding(inspection, finding)
    inspection.site.refresh_hazards()
    return saved


@transaction.atomic
def close_finding(
    *,
    finding: Finding,
    closed_on: date,
    closure_notes: str,
    photos: Iterable[UploadedFile] = (),
    user=None,
    today: date | None = None,
) -> Finding:
    """Close a finding as rectified, recording who reviewed it and when, with notes and photos
    of the rectified state; the site's flag drops when no finding of the kind is open."""
    today = today or shanghai_today()
    # Lock the row so that two people closing the same finding do not both pass the check.
    finding = (
        Finding.objects.select_for_update().select_related("inspection__site").get(pk=finding.pk)
    )
    errors: dict[str, str] = {}
    if not finding.is_open:
        errors["closed_on"] = _("This finding was already closed on %(date)s.") % {
            "date": finding.closed_on.isoformat()
        }
    elif closed_on > today:
        errors["closed_on"] = _("The closing date cannot be in the future.")
    elif closed_on < finding.inspection.date:
        errors["closed_on"] = _("A finding cannot be closed before the inspection that found it.")
    if not closure_notes.strip():
        errors["closure_notes"] = _("Say how the problem was rectified.")
    if errors:
        raise ValidationError(errors)
    finding.closed_on = closed_on
    finding.closure_notes = closure_notes.strip()
    finding.reviewed_by = user if getattr(user, "is_authenticated", False) else None
    finding.reviewed_at = timezone.now()
    finding.save(update_fields=["closed_on", "closure_notes", "reviewed_by", "reviewed_at"])
    for photo in photos:
        InspectionPhoto.objects.create(
            inspection=finding.inspection,
            finding=finding,
            stage=PhotoStage.RECTIFIED,
            image=photo,
        )
    finding.inspection.site.refresh_hazards()
    return finding
