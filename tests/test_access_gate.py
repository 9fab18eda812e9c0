"""The one access gate: the decorator and the mixin behave alike (anonymous visitors go to the
login page with their way back; logged-in users without every permission get 403)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.views import View

from fenglin import roles
from fenglin.access import StaffRequiredMixin, staff_required
from tests.builders import make_user

pytestmark = pytest.mark.django_db
PERMS = ("sites.view_site", "sites.change_site")


@staff_required(*PERMS)
def function_view(request):
    return HttpResponse("inside")


class ClassView(StaffRequiredMixin, View):
    permission_required = PERMS

    def get(self, request):
        return HttpResponse("inside")


VIEWS = [function_view, ClassView.as_view()]


def _get(view, user):
    request = RequestFactory().get("/somewhere/?page=2")
    request.user = user
    return view(request)


@pytest.mark.parametrize("view", VIEWS)
def test_anonymous_visitors_go_to_the_login_page_and_back(view):
    response = _get(view, AnonymousUser())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=/somewhere/%3Fpage%3D2" in response["Location"]


@pytest.mark.parametrize("view", VIEWS)
def test_every_permission_is_needed(view):
    # Viewers may view sites but not change them.
    with pytest.raises(PermissionDenied):
        _get(view, make_user("viewer", roles.VIEWERS))


@pytest.mark.parametrize("view", VIEWS)
def test_users_with_every_permission_get_in(view):
    response = _get(view, make_user("planner", roles.PLANNERS))
    assert response.status_code == 200 and response.content == b"inside"


def test_a_single_permission_may_be_named_as_a_string():
    class OneView(StaffRequiredMixin, View):
        permission_required = "sites.view_site"

        def get(self, request):
            return HttpResponse("inside")

    assert _get(OneView.as_view(), make_user("viewer", roles.VIEWERS)).status_code == 200
    with pytest.raises(PermissionDenied):
        _get(OneView.as_view(), make_user("nobody"))
