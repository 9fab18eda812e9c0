"""Staff roles as Django groups, each a fixed set of model permissions.

Views check ordinary Django permissions (through fenglin.access), so a role is only a
named bundle of them; `sync_role_groups` (run after every migrate) keeps the groups in step
with this table. Committee staff are further limited to their own area (see sites.StaffProfile).
"""

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PLANNERS = "planners"
INSPECTORS = "inspectors"
COMMITTEE = "committee"
VIEWERS = "viewers"

ROLE_LABELS = {
    PLANNERS: _("Planner"),
    INSPECTORS: _("Inspector"),
    COMMITTEE: _("Neighbourhood committee staff"),
    VIEWERS: _("Read-only viewer"),
}

_VIEW_ALL = [("sites", "view"), ("surveys", "view"), ("scenarios", "view")]

# (app label, action) pairs, or "app.codename" for a single permission.
ROLE_PERMISSIONS: dict[str, list] = {
    PLANNERS: [
        ("sites", "view"),
        ("sites", "add"),
        ("sites", "change"),
        ("sites", "delete"),
        ("surveys", "view"),
        ("surveys", "add"),
        ("surveys", "change"),
        ("surveys", "delete"),
        ("scenarios", "view"),
        ("scenarios", "add"),
        ("scenarios", "change"),
        ("scenarios", "delete"),
    ],
    INSPECTORS: [
        ("sites", "view"),
        "sites.add_inspection",
        "sites.change_inspection",
        "sites.add_finding",
        "sites.change_finding",
    ],
    COMMITTEE: [
        "sites.view_area",
        "sites.view_site",
        "sites.view_servicetype",
        "sites.view_siteservice",
        "surveys.view_survey",
        "surveys.view_response",
        "surveys.add_paper_response",
        "surveys.view_fieldvisit",
        "surveys.add_fieldvisit",
    ],
    VIEWERS: _VIEW_ALL,
}


# Safety records belong to the inspectors: other roles may read them, never write them.
INSPECTION_MODELS = ["inspection", "finding", "inspectionphoto", "inspectionrule"]


def permissions_for(role: str) -> list[Permission]:
    query = Q(pk__in=[])
    for entry in ROLE_PERMISSIONS[role]:
        if isinstance(entry, tuple):
            app_label, action = entry
            query |= Q(content_type__app_label=app_label, codename__startswith=f"{action}_")
        else:
            app_label, codename = entry.split(".")
            query |= Q(content_type__app_label=app_label, codename=codename)
    permissions = Permission.objects.filter(query)
    if role != INSPECTORS:
        permissions = permissions.exclude(
            Q(content_type__app_label="sites", content_type__model__in=INSPECTION_MODELS)
            & ~Q(codename__startswith="view_")
        )
    return list(permissions)


def sync_role_groups(**kwargs) -> None:
    """Create the role groups and give each exactly its permissions (idempotent)."""
    for role in ROLE_PERMISSIONS:
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(permissions_for(role))


def roles_of(user) -> set[str]:
    if user is None or not user.is_authenticated:
        return set()
    return set(user.groups.values_list("name", flat=True))


def navigation_for(user) -> dict[str, bool]:
    """Which sections of the staff menu the user may open."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return {}
    return {
        "sites": user.has_perm("sites.view_site"),
        "surveys": user.has_perm("surveys.view_survey"),
        "scenarios": user.has_perm("scenarios.view_scenario"),
        "inspections": user.has_perm("sites.view_inspection"),
        "admin": user.is_staff,
    }


def is_committee_only(user) -> bool:
    """True for committee staff whose data must be limited to their own area.

    Planners, viewers and admins see everything, also when they belong to the committee group
    as well. Views and selectors ask fenglin.access.scope_for, which builds on this rule.
    """
    if not user.is_authenticated or user.is_superuser:
        return False
    names = roles_of(user)
    return COMMITTEE in names and not names & {PLANNERS, VIEWERS}
