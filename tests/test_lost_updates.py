"""No edit is lost: two people editing the same site, area, survey or scenario at once.

Each test loads an edit form in two browsers (clients), saves it in the first, then saves the
stale copy in the second: the second is refused with a message naming what changed, keeps its
input on the page and saves nothing; a re-post after reloading succeeds.
"""

import threading

import pytest
from django import forms
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst

from fenglin import roles
from scenarios.models import Scenario
from sites import services
from sites.models import Area, Site, SiteStatus
from surveys import services as survey_services
from surveys.models import Survey, SurveyStatus
from tests.builders import (
    make_area,
    make_need_question,
    make_response,
    make_scenario,
    make_service_type,
    make_site,
    make_survey,
    make_user,
)

VERSION_FIELD = "loaded_version"


def form_data(form, data: dict | None = None) -> dict:
    """What a browser would post back for a rendered (bound or unbound) form, unchanged."""
    data = {} if data is None else data
    for bound in form:
        widget, value, name = bound.field.widget, bound.value(), bound.html_name
        widget = getattr(widget, "widget", widget)  # the admin's related-field wrapper
        if isinstance(widget, forms.MultiWidget):
            parts = value if isinstance(value, list) else widget.decompress(value)
            for i, part in enumerate(parts):
                data[f"{name}_{i}"] = "" if part is None else str(part)
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
        elif getattr(widget, "allow_multiple_selected", False):
            data[name] = [str(v) for v in value or []]
        else:
            data[name] = "" if value is None else str(value)
    return data


def admin_form_data(response) -> dict:
    data = form_data(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        form_data(formset.management_form, data)
        for form in formset.forms:
            form_data(form, data)
    return data


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def conflict_lines(response) -> list[str]:
    if "adminform" in response.context:
        form = response.context["adminform"].form
    else:
        form = response.context["form"]
    return [str(error) for error in form.non_field_errors()]


def label(model, name: str, response) -> str:
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return str(capfirst(model._meta.get_field(name).verbose_name))


@pytest.fixture
def two_planners(db):
    return (
        make_user("planner_a", roles.PLANNERS),
        make_user("planner_b", roles.PLANNERS),
    )


@pytest.fixture
def two_admins(db):
    return make_user("admin_a", superuser=True), make_user("admin_b", superuser=True)


def race(url: str, first, second, *, first_edit: dict, second_edit: dict, admin=False):
    """Both load the form; the first saves `first_edit`, then the second saves `second_edit`
    over the copy it loaded. Returns the second's response and its posted data."""
    read = admin_form_data if admin else (lambda r: form_data(r.context["form"]))
    a, b = client_for(first), client_for(second)
    data_a, data_b = read(a.get(url)), read(b.get(url))
    saved = a.post(url, {**data_a, **first_edit})
    assert saved.status_code == 302, conflict_lines(saved)
    return b, b.post(url, {**data_b, **second_edit}), {**data_b, **second_edit}


def assert_refused(response, model, field: str, value: str, who: str) -> None:
    assert response.status_code == 200
    lines = conflict_lines(response)
    text = "\n".join(lines)
    assert label(model, field, response) in text, lines
    assert value in text, lines
    assert who in text, lines


def assert_reload_saves(client, url: str, edit: dict, *, admin=False) -> None:
    read = admin_form_data if admin else (lambda r: form_data(r.context["form"]))
    response = client.post(url, {**read(client.get(url)), **edit})
    assert response.status_code == 302, conflict_lines(response)


# --- Staff pages ---------------------------------------------------------------------------


def test_a_stale_site_edit_is_refused_and_names_what_changed(two_planners):
    site = make_site(name="零陵路231号", notes="")
    url = reverse("sites:site_edit", args=[site.pk])
    b, response, posted = race(
        url,
        *two_planners,
        first_edit={"name": "零陵路231号 综合体"},
        second_edit={"notes": "B's notes"},
    )

    assert_refused(response, Site, "name", "零陵路231号 综合体", "planner_a")
    # The second planner's input is kept on the page; nothing of it was saved.
    assert response.context["form"]["notes"].value() == "B's notes"
    site.refresh_from_db()
    assert (site.name, site.notes) == ("零陵路231号 综合体", "")

    assert_reload_saves(b, url, {"notes": "B's notes"})
    site.refresh_from_db()
    assert (site.name, site.notes) == ("零陵路231号 综合体", "B's notes")


def test_saving_the_refused_form_again_is_a_deliberate_overwrite(two_planners):
    site = make_site(name="Old")
    url = reverse("sites:site_edit", args=[site.pk])
    b, response, posted = race(
        url, *two_planners, first_edit={"name": "A's name"}, second_edit={"name": "B's name"}
    )
    assert response.status_code == 200
    # The refused form now carries the version it was refused against: saving it again
    # (after reading the message) replaces the other planner's values.
    again = form_data(response.context["form"])
    assert again[VERSION_FIELD] != posted[VERSION_FIELD]
    assert b.post(url, again).status_code == 302
    site.refresh_from_db()
    assert site.name == "B's name"


def test_a_stale_area_edit_is_refused(two_planners):
    area = make_area(name="枫林居委", households=2000)
    url = reverse("sites:area_edit", args=[area.pk])
    b, response, _posted = race(
        url, *two_planners, first_edit={"households": "2100"}, second_edit={"notes": "B"}
    )
    assert_refused(response, Area, "households", "2100", "planner_a")
    area.refresh_from_db()
    assert (area.households, area.notes) == (2100, "")
    assert_reload_saves(b, url, {"notes": "B"})
    area.refresh_from_db()
    assert (area.households, area.notes) == (2100, "B")


def test_a_stale_survey_edit_is_refused(two_planners):
    survey = make_survey(title="需求调查", status=SurveyStatus.DRAFT)
    url = reverse("surveys:survey_edit", args=[survey.pk])
    b, response, _posted = race(
        url,
        *two_planners,
        first_edit={"title": "社区需求调查"},
        second_edit={"description": "B's introduction"},
    )
    assert_refused(response, Survey, "title", "社区需求调查", "planner_a")
    survey.refresh_from_db()
    assert (survey.title, survey.description) == ("社区需求调查", "")
    assert_reload_saves(b, url, {"description": "B's introduction"})
    survey.refresh_from_db()
    assert (survey.title, survey.description) == ("社区需求调查", "B's introduction")


def test_a_stale_scenario_edit_is_refused_for_a_changed_list_of_closed_sites(two_planners):
    closing = make_site(name="小木桥路440弄22号甲", status=SiteStatus.OPERATING)
    scenario = make_scenario(name="Plan A")
    url = reverse("scenarios:scenario_update", args=[scenario.pk])
    b, response, _posted = race(
        url,
        *two_planners,
        first_edit={"closed_sites": [str(closing.pk)]},
        second_edit={"name": "Plan B"},
    )
    assert_refused(response, Scenario, "closed_sites", closing.name, "planner_a")
    scenario.refresh_from_db()
    assert scenario.name == "Plan A"
    assert list(scenario.closed_sites.all()) == [closing]
    assert_reload_saves(b, url, {"name": "Plan B"})
    scenario.refresh_from_db()
    assert scenario.name == "Plan B"
    assert list(scenario.closed_sites.all()) == [closing]


def test_a_stale_scenario_edit_is_refused_for_a_changed_parameter(two_planners):
    scenario = make_scenario(name="Plan A")
    url = reverse("scenarios:scenario_update", args=[scenario.pk])
    _b, response, _posted = race(
        url, *two_planners, first_edit={"speed_m_per_min": "60"}, second_edit={"name": "B"}
    )
    assert_refused(response, Scenario, "speed_m_per_min", "60", "planner_a")
    scenario.refresh_from_db()
    assert (scenario.name, scenario.speed_m_per_min) == ("Plan A", 60)


# --- Which changes count -------------------------------------------------------------------


def test_a_status_change_meanwhile_does_not_make_the_site_form_stale(two_planners):
    first, second = two_planners
    site = make_site(status=SiteStatus.CANDIDATE)
    url = reverse("sites:site_edit", args=[site.pk])
    b = client_for(second)
    data = form_data(b.get(url).context["form"])
    # The status has its own page (not on this form): moving it is not a conflicting edit.
    services.change_site_status(site=site, to_status=SiteStatus.SELECTED, reason="", user=first)
    response = b.post(url, {**data, "notes": "B's notes"})
    assert response.status_code == 302, conflict_lines(response)
    site.refresh_from_db()
    assert (site.status, site.notes) == (SiteStatus.SELECTED, "B's notes")


def test_a_background_change_of_a_field_on_the_form_makes_it_stale(two_planners):
    _first, second = two_planners
    site = make_site()
    url = reverse("sites:site_edit", args=[site.pk])
    b = client_for(second)
    data = form_data(b.get(url).context["form"])
    # The monthly review records visitor counts, which the edit form also shows.
    assert services.record_visitors(visitors={site.pk: 4200}) == 1
    response = b.post(url, {**data, "notes": "B's notes"})
    assert response.status_code == 200
    assert label(Site, "visitors_per_month", response) in "\n".join(conflict_lines(response))
    site.refresh_from_db()
    assert (site.visitors_per_month, site.notes) == (4200, "")


def test_a_hazard_raised_meanwhile_does_not_make_the_form_stale_and_is_kept(two_planners):
    _first, second = two_planners
    site = make_site()
    url = reverse("sites:site_edit", args=[site.pk])
    b = client_for(second)
    data = form_data(b.get(url).context["form"])
    # An inspection's open finding raises the hazard flag, which the form does not edit.
    from sites.safety.models import Finding, Inspection, InspectionKind, InspectionMode

    inspection = Inspection.objects.create(
        site=site,
        kind=InspectionKind.FIRE,
        mode=InspectionMode.JOINT,
        date="2026-03-01",
        inspectors="消防",
        result="rectify",
    )
    Finding.objects.create(inspection=inspection, description="堵塞", rectify_by="2026-04-01")
    assert site.refresh_hazards() == ["hazard_fire"]
    response = b.post(url, {**data, "notes": "B's notes"})
    assert response.status_code == 302, conflict_lines(response)
    site.refresh_from_db()
    assert (site.hazard_fire, site.notes) == (True, "B's notes")


def test_new_responses_and_question_edits_do_not_make_the_survey_form_stale(two_planners):
    _first, second = two_planners
    survey = make_survey(status=SurveyStatus.DRAFT)
    url = reverse("surveys:survey_edit", args=[survey.pk])
    b = client_for(second)
    data = form_data(b.get(url).context["form"])
    make_need_question(survey, [make_service_type("canteen")])
    survey_services.set_survey_status(survey=Survey.objects.get(pk=survey.pk), status="open")
    make_response(Survey.objects.get(pk=survey.pk), None)
    survey_services.bump_results_version(survey.pk)
    response = b.post(url, {**data, "description": "B's introduction"})
    assert response.status_code == 302, conflict_lines(response)
    survey.refresh_from_db()
    assert survey.description == "B's introduction"
    assert survey.status == SurveyStatus.OPEN  # the status opened meanwhile is kept
    assert survey.results_version == 2


def test_a_form_without_a_version_or_with_a_bad_one_never_fails_with_500(two_planners):
    site = make_site(name="Old")
    url = reverse("sites:site_edit", args=[site.pk])
    b = client_for(two_planners[1])
    data = form_data(b.get(url).context["form"])
    for bad in ("abc", "-1", "99999999999999999999", "2147483647"):
        response = b.post(url, {**data, VERSION_FIELD: bad, "name": "Bad"})
        assert response.status_code == 200, bad
        assert conflict_lines(response), bad
    site.refresh_from_db()
    assert site.name == "Old"
    # Posting without the hidden field (an old page, a script) still saves.
    del data[VERSION_FIELD]
    assert b.post(url, {**data, "name": "New"}).status_code == 302


def test_an_edit_of_a_record_deleted_meanwhile_is_refused_not_a_500(db):
    from fenglin.versioning import EditConflict, Loaded

    area = make_area(name="Old")
    stale = Area.objects.get(pk=area.pk)
    Area.objects.filter(pk=area.pk).delete()
    stale.name = "New"
    with translation.override("en"), pytest.raises(EditConflict) as refused:
        services.save_area(area=stale, loaded=Loaded(version=1, fields=("name",)))
    assert "deleted" in " ".join(refused.value.messages)
    assert not Area.objects.exists()


def test_creating_still_works_and_starts_at_the_first_version(two_planners):
    b = client_for(two_planners[1])
    response = b.get(reverse("sites:area_create"))
    data = form_data(response.context["form"])
    data.update(
        name="新居委", code="xin", centroid_lat="31.193", centroid_lng="121.455", boundary=""
    )
    assert b.post(reverse("sites:area_create"), data).status_code == 302
    assert Area.objects.get(code="xin").version == 1


def test_every_save_moves_the_version_on_and_history_records_it(db):
    site = make_site()
    assert site.version == 1
    site.save()
    site.save(update_fields=["notes"])
    assert site.version == 3
    assert Site.objects.get(pk=site.pk).version == 3
    assert sorted(site.history.values_list("version", flat=True)) == [1, 2, 3]
    # Writes that are not saves (timestamps, cached-results counters) leave it alone.
    Site.objects.filter(pk=site.pk).update(notes="bulk")
    assert Site.objects.get(pk=site.pk).version == 3


def test_a_survey_save_still_leaves_results_version_alone(db):
    survey = make_survey()
    stale = Survey.objects.get(pk=survey.pk)
    survey_services.bump_results_version(survey.pk)
    stale.title = "New"
    stale.save()
    fresh = Survey.objects.get(pk=survey.pk)
    assert (fresh.title, fresh.results_version, fresh.version) == ("New", 1, 2)


# --- The admin -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "field", "first_value", "second_edit"),
    [
        (lambda: make_site(name="Old"), "name", "A's name", {"notes": "B"}),
        (lambda: make_area(households=10), "households", "20", {"notes": "B"}),
        (
            lambda: make_survey(title="Old"),
            "title",
            "A's title",
            {"description": "B"},
        ),
        (
            lambda: make_scenario(name="Old"),
            "name",
            "A's name",
            {"description": "B"},
        ),
    ],
    ids=["site", "area", "survey", "scenario"],
)
def test_the_admin_refuses_a_stale_save(two_admins, make, field, first_value, second_edit):
    obj = make()
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    b, response, _posted = race(
        url, *two_admins, first_edit={field: first_value}, second_edit=second_edit, admin=True
    )
    assert_refused(response, type(obj), field, first_value, "admin_a")
    obj.refresh_from_db()
    assert str(getattr(obj, field)) == first_value
    assert getattr(obj, next(iter(second_edit))) == ""
    assert_reload_saves(b, url, second_edit, admin=True)
    obj.refresh_from_db()
    assert str(getattr(obj, field)) == first_value
    assert getattr(obj, next(iter(second_edit))) == "B"


def test_an_admin_revert_starts_from_the_row_as_stored_now(two_admins):
    site = make_site(name="Old")
    site.name = "New"
    site.save()
    oldest = site.history.order_by("history_id").first()
    url = reverse("admin:sites_site_simple_history", args=[site.pk, oldest.history_id])
    a, b = client_for(two_admins[0]), client_for(two_admins[1])
    data_a, data_b = admin_form_data(a.get(url)), admin_form_data(b.get(url))
    assert data_a["name"] == "Old"
    # Reverting is not mistaken for a stale edit of the old record.
    response = a.post(url, data_a)
    assert response.status_code == 302, conflict_lines(response)
    site.refresh_from_db()
    assert site.name == "Old"
    # A revert page opened before that revert was saved is stale.
    response = b.post(url, {**data_b, "notes": "B"})
    assert_refused(response, Site, "name", "Old", "admin_a")
    site.refresh_from_db()
    assert (site.name, site.notes) == ("Old", "")


# --- Two saves at the same moment ----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_of_the_same_version_cannot_both_win():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")
    from fenglin.versioning import EditConflict, Loaded

    site = make_site(name="Old")
    loaded = Loaded(version=site.version, fields=("name",))
    first_saved, second_started = threading.Event(), threading.Event()
    release = threading.Event()
    outcomes: dict[str, object] = {}

    def edit(who: str, hold: bool) -> None:
        try:
            with transaction.atomic():
                if not hold:
                    second_started.set()
                mine = Site.objects.get(pk=site.pk)
                mine.name = f"{who}'s name"
                services.update_site(site=mine, user=None, loaded=loaded)
                if hold:
                    # Keep the first transaction open until the second is waiting on the row.
                    first_saved.set()
                    release.wait(timeout=30)
            outcomes[who] = "saved"
        except EditConflict as conflict:
            outcomes[who] = conflict
        except Exception as exc:  # reported by the assertions, not lost in a thread
            outcomes[who] = exc
        finally:
            connections.close_all()

    holder = threading.Thread(target=edit, args=("A", True))
    holder.start()
    assert first_saved.wait(timeout=30)
    other = threading.Thread(target=edit, args=("B", False))
    other.start()
    assert second_started.wait(timeout=30)
    _wait_until_a_query_waits_on_a_lock()
    release.set()
    holder.join(timeout=60)
    other.join(timeout=60)

    assert outcomes["A"] == "saved"
    assert isinstance(outcomes["B"], EditConflict), outcomes
    site.refresh_from_db()
    assert (site.name, site.version) == ("A's name", 2)


def _wait_until_a_query_waits_on_a_lock(tries: int = 300) -> None:
    """Until another session is blocked on a lock (or, without one, it has run on)."""
    import time

    for _ in range(tries):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
