"""Demo accounts for local use, one per role. Created only when DEBUG is on."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from fenglin import roles

DEMO_PASSWORD = "fenglin-demo-2026"

# username, role group (None for the administrator), is_superuser
DEMO_USERS = [
    ("admin", None, True),
    ("planner", roles.PLANNERS, False),
    ("inspector", roles.INSPECTORS, False),
    ("committee", roles.COMMITTEE, False),
    ("viewer", roles.VIEWERS, False),
]


def ensure(stdout) -> None:
    roles.sync_role_groups()
    User = get_user_model()
    for username, role, is_superuser in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": is_superuser, "is_superuser": is_superuser}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if role:
            user.groups.set([Group.objects.get(name=role)])
        if role == roles.COMMITTEE:
            from sites.models import Area, StaffProfile

            area = Area.objects.order_by("code").first()
            StaffProfile.objects.update_or_create(user=user, defaults={"area": area})
    names = ", ".join(name for name, _role, _su in DEMO_USERS)
    stdout.write(f"Demo logins (password for each: {DEMO_PASSWORD}): {names}")
