"""Every URL of the project, opened by an anonymous visitor and by each role.

A page open where it should not be fails this test; so does any 5xx. New URLs must be added to
EXPECTED (the test fails on an unknown name), so nothing is born outside the rules.
"""

import io

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from fenglin import roles
from tests.conftest import make_user

ANONYMOUS, VIEWER, COMMITTEE, INSPECTOR, PLANNER, ADMIN = (
    "anonymous",
    "viewer",
    "committee",
    "inspector",
    "planner",
    "admin",
)
EVERYONE = {ANONYMOUS, VIEWER, COMMITTEE, INSPECTOR, PLANNER, ADMIN}
STAFF_READERS = {VIEWER, PLANNER, ADMIN}
SITE_READERS = STAFF_READERS | {INSPECTOR, COMMITTEE}
SAFETY_READERS = STAFF_READERS | {INSPECTOR}
PLANNERS = {PLANNER, ADMIN}
INSPECTORS = {INSPECTOR, ADMIN}
SURVEY_READERS = STAFF_READERS | {COMMITTEE}

# Who may open each page with GET. Everyone else gets a login redirect (anonymous) or 403.
EXPECTED: dict[str, set[str]] = {
    "home": EVERYONE,
    "start": EVERYONE,  # a redirect to each role's page; the login page for strangers
    "healthz": EVERYONE,
    "login": EVERYONE,
    "logout": set(),  # POST only
    "set_language": EVERYONE,
    "javascript-catalog": EVERYONE,
    "public_service_map": EVERYONE,
    "public_route_list": EVERYONE,
    "public_route_detail": EVERYONE,
    "public_place_search": EVERYONE,
    "public_site": EVERYONE,
    "map_base": EVERYONE,
    "public_surveys:survey_form": EVERYONE,
    "public_surveys:survey_thanks": EVERYONE,
    "public_surveys:survey_sw": EVERYONE,
    "sites:site_list": SITE_READERS,
    "sites:site_detail": SITE_READERS,
    "sites:site_export": SITE_READERS,
    "sites:area_list": SITE_READERS,
    "sites:area_detail": SITE_READERS,
    "sites:area_export": SITE_READERS,
    "sites:boundary_report": SITE_READERS,
    "sites:residential_export": SITE_READERS - {COMMITTEE},  # street-wide, not one area
    "sites:servicetype_list": SITE_READERS,
    "sites:servicetype_detail": SITE_READERS,
    "sites:site_create": PLANNERS,
    "sites:site_import": PLANNERS,
    "sites:site_edit": PLANNERS,
    "sites:site_status": PLANNERS,
    "sites:site_archive": PLANNERS,
    "sites:site_restore": set(),  # POST only
    "sites:siteservice_add": PLANNERS,
    "sites:siteservice_edit": PLANNERS,
    "sites:siteservice_delete": PLANNERS,
    "sites:area_create": PLANNERS,
    "sites:area_import": PLANNERS,
    "sites:boundary_import": PLANNERS,
    "sites:residential_import": PLANNERS,
    "sites:area_edit": PLANNERS,
    "sites:servicetype_create": PLANNERS,
    "sites:servicetype_edit": PLANNERS,
    "sites:safety_dashboard": SAFETY_READERS,
    "sites:safety_today": SAFETY_READERS,
    "sites:safety_checks": SAFETY_READERS,
    "sites:safety_findings": SAFETY_READERS,
    "sites:safety_export": SAFETY_READERS,
    "sites:monthly_review": SAFETY_READERS,
    "sites:subtraction_review": SAFETY_READERS,
    "sites:site_safety": SAFETY_READERS,
    "sites:inspection_detail": SAFETY_READERS,
    "sites:inspection_photo": SAFETY_READERS,
    "sites:inspection_create": INSPECTORS,
    "sites:finding_close": INSPECTORS,
    "sites:inspection_add_finding": INSPECTORS,
    "surveys:survey_list": SURVEY_READERS,
    "surveys:survey_detail": SURVEY_READERS,
    "surveys:survey_results": SURVEY_READERS,
    "surveys:survey_export_csv": SURVEY_READERS,
    "surveys:survey_export_xlsx": SURVEY_READERS,
    "surveys:demand_export_csv": SURVEY_READERS,
    "surveys:demand_export_xlsx": SURVEY_READERS,
    "surveys:text_answers": SURVEY_READERS,
    "surveys:text_answers_export": SURVEY_READERS,
    "surveys:survey_poster": SURVEY_READERS,
    "surveys:paper_sw": PLANNERS | {COMMITTEE},
    "surveys:response_list": SURVEY_READERS,
    "surveys:response_detail": SURVEY_READERS,
    "surveys:survey_preview": SURVEY_READERS,
    "surveys:fieldvisit_list": SURVEY_READERS,
    "surveys:fieldvisit_detail": SURVEY_READERS,
    "surveys:fieldvisit_create": PLANNERS | {COMMITTEE},
    "surveys:paper_entry": PLANNERS | {COMMITTEE},
    "surveys:survey_create": PLANNERS,
    "surveys:survey_edit": PLANNERS,
    "surveys:survey_status": PLANNERS,
    "surveys:survey_archive": PLANNERS,
    "surveys:survey_restore": set(),  # POST only
    "surveys:question_create": PLANNERS,
    "surveys:question_edit": PLANNERS,
    "surveys:question_remove": PLANNERS,
    "surveys:question_restore": PLANNERS,
    "surveys:question_move": PLANNERS,
    "scenarios:index": STAFF_READERS,
    "scenarios:demand_list": STAFF_READERS,
    "scenarios:demand_detail": STAFF_READERS,
    "scenarios:coverage_list": STAFF_READERS,
    "scenarios:coverage_detail": STAFF_READERS,
    "scenarios:gaps": STAFF_READERS,
    "scenarios:compare": STAFF_READERS,
    "scenarios:scenario_detail": STAFF_READERS,
    "scenarios:scenario_service": STAFF_READERS,
    "scenarios:run_detail": STAFF_READERS,
    "scenarios:run_status": STAFF_READERS,
    "scenarios:scenario_create": PLANNERS,
    "scenarios:scenario_update": PLANNERS,
    "scenarios:scenario_archive": PLANNERS,
    "scenarios:scenario_restore": set(),  # POST only
    "scenarios:scenario_evaluate": PLANNERS,
    "scenarios:addition_create": PLANNERS,
    "scenarios:addition_delete": PLANNERS,
    "scenarios:scenario_optimise": PLANNERS,
    "scenarios:scenario_share": PLANNERS,
    "scenarios:run_cancel": PLANNERS,
    "scenarios:provision": STAFF_READERS,
    "scenarios:premises_decision": PLANNERS,
}


def url_patterns(patterns=None, prefix="", namespace=None):
    """(name, route, pattern) for every named URL outside the admin."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern), pattern


def objects_for_kwargs():
    """One existing object for each kind of URL argument, from the demo data."""
    from scenarios.models import OptimisationRun, Scenario
    from sites.models import Area, ServiceType, Site, SiteService, WalkingRoute
    from sites.safety.models import Finding, Inspection, InspectionPhoto
    from surveys.models import FieldVisit, Question, Response, Survey

    return {
        "Site": Site.objects.first(),
        "SiteService": SiteService.objects.first(),
        "Area": Area.objects.first(),
        "ServiceType": ServiceType.objects.first(),
        "Inspection": Inspection.objects.first(),
        "InspectionPhoto": InspectionPhoto.objects.first(),
        "Finding": Finding.objects.first(),
        "Survey": Survey.objects.first(),
        "Question": Question.objects.first(),
        "Response": Response.objects.first(),
        "FieldVisit": FieldVisit.objects.first(),
        "Scenario": Scenario.objects.filter(additions__isnull=False).first(),
        "OptimisationRun": OptimisationRun.objects.first(),
        "WalkingRoute": WalkingRoute.objects.first(),
    }


def kwargs_for(name: str, route: str, objects: dict) -> dict:
    """URL arguments for a pattern, from the objects the demo data holds."""
    short = name.split(":")[-1]
    app = name.split(":")[0] if ":" in name else ""
    kwargs = {}
    for key in ("pk", "site_pk", "survey_pk", "addition_pk", "slug", "code", "fmt"):
        if f"<int:{key}>" not in route and f"<slug:{key}>" not in route and f":{key}>" not in route:
            continue
        if key == "fmt":
            kwargs[key] = "csv"
        elif key == "code":
            kwargs[key] = objects["SiteService"].service_type.code
        elif key == "slug":
            obj = objects["WalkingRoute"] if short.startswith("public_route") else objects["Survey"]
            kwargs[key] = obj.slug
        elif key == "site_pk":
            kwargs[key] = objects["Site"].pk
        elif key == "survey_pk":
            kwargs[key] = objects["Response"].survey_id
        elif key == "addition_pk":
            kwargs[key] = objects["Scenario"].additions.first().pk
        else:
            kwargs[key] = primary_object(app, short, objects).pk
    return kwargs


def primary_object(app: str, short: str, objects: dict):
    by_prefix = [
        ("public_site", "Site"),
        ("siteservice_", "SiteService"),
        ("site_", "Site"),
        ("area_", "Area"),
        ("servicetype_", "ServiceType"),
        ("inspection_photo", "InspectionPhoto"),
        ("inspection_", "Inspection"),
        ("finding_", "Finding"),
        ("question_create", "Survey"),
        ("question_", "Question"),
        ("response_detail", "Response"),
        ("fieldvisit_", "FieldVisit"),
        ("run_", "OptimisationRun"),
    ]
    for prefix, model in by_prefix:
        if short.startswith(prefix):
            return objects[model]
    return objects["Survey"] if app == "surveys" else objects["Scenario"]


def ensure_every_kind_of_object(objects: dict) -> dict:
    """The demo may lack a photo or an optimisation run: make one of each."""
    from django.core.files.base import ContentFile

    from scenarios.models import OptimisationRun
    from sites.safety.models import InspectionPhoto

    if objects["InspectionPhoto"] is None:
        photo = InspectionPhoto(inspection=objects["Inspection"])
        photo.image.save("matrix.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 64))
        objects["InspectionPhoto"] = photo
    if objects["OptimisationRun"] is None:
        objects["OptimisationRun"] = OptimisationRun.objects.create(
            scenario=objects["Scenario"],
            service_type=objects["SiteService"].service_type,
            model="mclp",
            new_sites=2,
        )
    return objects


@pytest.mark.django_db
def test_every_url_is_open_exactly_to_the_roles_that_may_open_it(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", responses=20, seed=1, stdout=io.StringIO())
    objects = ensure_every_kind_of_object(objects_for_kwargs())
    # The committee user works for the area of the objects opened (other areas are hidden).
    from sites.models import Site
    from surveys.models import FieldVisit, Response

    response = Response.objects.filter(area__sites__isnull=False).first()
    own_area = response.area
    objects["Response"] = response
    objects["Area"] = own_area
    objects["Site"] = Site.objects.filter(area=own_area).first()
    objects["FieldVisit"] = FieldVisit.objects.filter(area=own_area).first() or (
        FieldVisit.objects.create(date="2026-11-01", area=own_area, residents_count=3)
    )
    users = {
        VIEWER: make_user("m-viewer", roles.VIEWERS),
        COMMITTEE: make_user("m-committee", roles.COMMITTEE, area=own_area),
        INSPECTOR: make_user("m-inspector", roles.INSPECTORS),
        PLANNER: make_user("m-planner", roles.PLANNERS),
        ADMIN: make_user("m-admin", superuser=True),
    }
    patterns = list(url_patterns())
    unknown = sorted(name for name, _route, _p in patterns if name not in EXPECTED)
    assert unknown == [], f"add these URLs to EXPECTED: {unknown}"

    from django.urls import reverse

    wrong = []
    for name, route, _pattern in patterns:
        url = reverse(name, kwargs=kwargs_for(name, route, objects))
        for role in [ANONYMOUS, *users]:
            client.logout()
            if role != ANONYMOUS:
                client.force_login(users[role])
            status = client.get(url).status_code
            allowed = role in EXPECTED[name]
            if status >= 500:
                wrong.append(f"{role:9} {status} {url} (server error)")
            elif allowed and status in (401, 403, 404):
                wrong.append(f"{role:9} {status} {url} (should be open)")
            elif not allowed and status not in (302, 403, 404, 405):
                wrong.append(f"{role:9} {status} {url} (should be closed)")
            elif not allowed and role == ANONYMOUS and status == 302:
                location = client.get(url)["Location"]
                if not location.startswith(settings.LOGIN_URL) and "/login/" not in location:
                    wrong.append(f"{role:9} 302 {url} → {location} (not to login)")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.django_db
def test_the_admin_needs_a_staff_login(client, planner):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(planner)  # a planner is not staff: the admin is for administrators
    assert client.get("/admin/").status_code == 302
