"""Where each role starts after logging in (LOGIN_REDIRECT_URL is the `start` view).

Inspectors go to the safety today page, committee staff to their own area's page, planners,
viewers and administrators to the planning index; anyone else (no role yet) to the front
page. A user with several roles goes where the first role in LANDING_ORDER sends them: the
role with the most to do every day wins.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from fenglin import roles

PLANNING = "scenarios:index"
SAFETY_TODAY = "sites:safety_today"
LANDING_ORDER = [roles.PLANNERS, roles.INSPECTORS, roles.COMMITTEE, roles.VIEWERS]


def landing_url(user) -> str:
    """The address of the user's own start page."""
    if not user.is_authenticated:
        return reverse("home")
    if user.is_superuser:
        return reverse(PLANNING)
    held = roles.roles_of(user)
    for role in LANDING_ORDER:
        if role not in held:
            continue
        if role == roles.INSPECTORS:
            return reverse(SAFETY_TODAY)
        if role == roles.COMMITTEE:
            profile = getattr(user, "staff_profile", None)
            area = profile.area if profile is not None else None
            if area is not None:
                return reverse("sites:area_detail", args=[area.pk])
            return reverse("sites:site_list")
        return reverse(PLANNING)
    return reverse("home")


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """LOGIN_REDIRECT_URL: send the user on to their own start page. (LoginView follows a
    safe ?next= first, so this only answers a plain login.)"""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return redirect(landing_url(request.user))
