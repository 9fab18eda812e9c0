"""The one access gate of the staff pages and the one committee scope.

Every staff view is behind `staff_required` (function views) or `StaffRequiredMixin` (class
views); both run `check_access`, so anonymous visitors always go to the login page and a
logged-in user without every named permission always gets 403.

Committee staff see data of their own area only. `scope_for` says once per request what a user
sees — everything, one area, or nothing — and every view, selector and template that limits data
to an area asks that one `Scope` (fenglin.roles decides who is limited).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse

from fenglin import roles


def check_access(request: HttpRequest, perms: tuple[str, ...]) -> HttpResponse | None:
    """None when the user may go on; else the redirect to the login page (anonymous users).

    A logged-in user without every permission raises PermissionDenied (403), before any object
    is looked up, so a 403 never tells whether an object exists.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perms(perms):
        raise PermissionDenied
    return None


def staff_required(*perms: str) -> Callable:
    """Decorator of function views: login required and every permission in `perms`."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            denied = check_access(request, perms)
            if denied is not None:
                return denied
            return view(request, *args, **kwargs)

        return gated

    return decorate


class StaffRequiredMixin:
    """Class views: login required and every permission in `permission_required`."""

    permission_required: str | tuple[str, ...] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        perms = self.permission_required
        denied = check_access(request, (perms,) if isinstance(perms, str) else tuple(perms))
        if denied is not None:
            return denied
        return super().dispatch(request, *args, **kwargs)

    @property
    def scope(self) -> "Scope":
        return scope_for(self.request.user)


@dataclass(frozen=True)
class Scope:
    """Whose data a user sees: everything, or one committee area (area None: nothing at all)."""

    limited: bool = False
    area: Any = None  # a sites.Area; fenglin does not import the apps' models

    @property
    def nothing(self) -> bool:
        return self.limited and self.area is None

    @property
    def fixed_area(self):
        """The area forms must keep to, or None when the user may choose any."""
        return self.area if self.limited else None

    def allows(self, area) -> bool:
        """May the user see data of `area`?"""
        return not self.limited or (self.area is not None and area == self.area)

    def q(self, field: str = "area") -> Q:
        """A filter on `field` (a path to an Area key, or "pk" on areas) keeping what the user may
        see; compared by primary key, so both an area foreign key and an area's own pk work."""
        if not self.limited:
            return Q()
        if self.area is None:
            return Q(pk__in=[])
        return Q(**{field: self.area.pk})

    def filter(self, queryset: QuerySet, field: str = "area") -> QuerySet:
        if not self.limited:
            return queryset
        if self.area is None:
            return queryset.none()
        return queryset.filter(**{field: self.area.pk})


EVERYTHING = Scope()


def scope_for(user) -> Scope:
    """The user's scope, worked out once and kept on the user object (one per request)."""
    if user is None:
        return Scope(limited=True)
    cached = getattr(user, "_fenglin_scope", None)
    if cached is None:
        if roles.is_committee_only(user):
            profile = getattr(user, "staff_profile", None)
            cached = Scope(limited=True, area=profile.area if profile is not None else None)
        else:
            cached = EVERYTHING
        user._fenglin_scope = cached
    return cached
