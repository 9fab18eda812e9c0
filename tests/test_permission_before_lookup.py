"""A user who may not open a page learns nothing from it: the same answer whether the object
named in its address exists or not (the permission is checked before the lookup)."""

import pytest
from django.urls import reverse

from fenglin import roles
from tests.builders import make_user
from tests.test_access_matrix import (
    ANONYMOUS,
    COMMITTEE,
    EXPECTED,
    INSPECTOR,
    PLANNER,
    VIEWER,
    ensure_every_kind_of_object,
    kwargs_for,
    objects_for_kwargs,
    url_patterns,
)

MISSING_ID = 987_654_321
ID_ARGUMENTS = ("pk", "site_pk", "survey_pk", "addition_pk")


@pytest.fixture
def demo(small_demo):
    return ensure_every_kind_of_object(objects_for_kwargs())


def _status(client, method: str, url: str) -> int:
    return (client.post(url, {}) if method == "post" else client.get(url)).status_code


@pytest.mark.django_db
def test_existing_and_missing_objects_get_the_same_answer_without_permission(client, demo):
    users = {
        VIEWER: make_user("l-viewer", roles.VIEWERS),
        COMMITTEE: make_user("l-committee", roles.COMMITTEE, area=demo["Area"]),
        INSPECTOR: make_user("l-inspector", roles.INSPECTORS),
        PLANNER: make_user("l-planner", roles.PLANNERS),
    }
    checked, wrong = 0, []
    for name, route, _pattern in url_patterns():
        kwargs = kwargs_for(name, route, demo)
        if not any(key in kwargs for key in ID_ARGUMENTS):
            continue
        missing = {k: MISSING_ID if k in ID_ARGUMENTS else v for k, v in kwargs.items()}
        for role in [ANONYMOUS, *users]:
            if role in EXPECTED[name]:
                continue  # may open it: a 404 for a missing object is right
            client.logout()
            if role != ANONYMOUS:
                client.force_login(users[role])
            for method in ("get", "post"):
                found = _status(client, method, reverse(name, kwargs=kwargs))
                not_found = _status(client, method, reverse(name, kwargs=missing))
                checked += 1
                if found != not_found and 405 not in (found, not_found):
                    wrong.append(f"{role:9} {method} {name}: {found} exists, {not_found} missing")
    assert checked > 50
    assert wrong == [], "\n".join(wrong)


@pytest.mark.django_db
def test_a_viewer_gets_403_for_closing_a_finding_that_exists_or_not(client, demo):
    client.force_login(make_user("l-viewer", roles.VIEWERS))
    finding = demo["Finding"]
    for pk in (finding.pk, MISSING_ID):
        url = reverse("sites:finding_close", args=[pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"closed_on": "2026-01-01"}).status_code == 403
    url = reverse("sites:inspection_create", args=[demo["Site"].pk])
    assert client.get(url).status_code == 403
    assert client.get(reverse("sites:inspection_create", args=[MISSING_ID])).status_code == 403
