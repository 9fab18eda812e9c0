"""Fuzzing every staff form: whatever a signed-in user posts, the answer is never a 5xx.

Each form is read from its own page (so new fields are fuzzed too), filled in validly, then
posted once with every field set to one hostile value and once per field with only that field
hostile, as every role that may post it. A role that may not post it gets 403, never a 5xx.
The imports get the same values as cells of an uploaded file, and the filter pages as query
strings.
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fenglin import roles
from scenarios.models import OptimisationRun, Scenario, ScenarioAddition
from sites import imports
from sites.models import Area, SiteStatus
from sites.safety.schedules import shanghai_today
from surveys.models import FieldVisit
from tests.builders import (
    make_area,
    make_full_survey,
    make_open_finding,
    make_service_type,
    make_site,
    make_site_service,
    make_user,
    valid_post,
)
from tests.fuzzing import (
    HOSTILE,
    PER_FIELD,
    POLYGON,
    SAMPLE,
    get_query,
    post_form,
    read_form,
)

pytestmark = pytest.mark.django_db

PLANNER, ADMIN, INSPECTOR, COMMITTEE, VIEWER = (
    "planner",
    "admin",
    "inspector",
    "committee",
    "viewer",
)
PLANNERS = (PLANNER, ADMIN)
INSPECTORS = (INSPECTOR, ADMIN)


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # Optimisation runs are queued, never solved, inside a fuzz test.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def world(db) -> dict:
    canteen = make_service_type("canteen", threshold_m=300)
    nursery = make_service_type("nursery", threshold_m=500)
    home = make_area(code="fuzz-home", name="Home")
    make_area(code="fuzz-other", name="Other")
    site = make_site(name="Operating", area=home)
    make_site_service(site, canteen, daily_capacity=50, floor_area_m2=Decimal(50))
    candidate = make_site(
        name="Candidate", area=home, status=SiteStatus.CANDIDATE, floor_area_m2=Decimal(800)
    )
    survey, questions = make_full_survey()
    today = shanghai_today()
    finding = make_open_finding(site, on=today)
    scenario = Scenario.objects.create(name="Fuzz plan")
    addition = ScenarioAddition.objects.create(
        scenario=scenario, site=candidate, service_type=nursery
    )
    run = OptimisationRun.objects.create(
        scenario=scenario, service_type=canteen, model="mclp", new_sites=1
    )
    visit = FieldVisit.objects.create(date=today, area=home, residents_count=3)
    users = {
        PLANNER: make_user("f-planner", roles.PLANNERS),
        ADMIN: make_user("f-admin", superuser=True),
        INSPECTOR: make_user("f-inspector", roles.INSPECTORS),
        COMMITTEE: make_user("f-committee", roles.COMMITTEE, area=home),
        VIEWER: make_user("f-viewer", roles.VIEWERS),
    }
    return {
        "canteen": canteen,
        "nursery": nursery,
        "home": home,
        "site": site,
        "candidate": candidate,
        "site_service": site.services.get(),
        "survey": survey,
        "questions": questions,
        "inspection": finding.inspection,
        "finding": finding,
        "scenario": scenario,
        "addition": addition,
        "run": run,
        "visit": visit,
        "users": users,
        "today": today.isoformat(),
    }


@dataclass
class StaffForm:
    """A staff form: its URL, who may post it, and valid values for fields the page leaves
    empty. `fields` names the fields of a form without a page of its own."""

    url: str
    args: Callable[[dict], list] = lambda w: []
    roles: tuple[str, ...] = PLANNERS
    valid: Callable[[dict], dict] = lambda w: {}
    fields: tuple[str, ...] = ()
    query: str = ""
    page_roles: tuple[str, ...] = field(default=())


def _boundary(_w) -> str:
    return f'{{"type": "Polygon", "coordinates": [{POLYGON}]}}'


def _survey_answers(w) -> dict:
    return valid_post(w["questions"], w["home"])


STAFF_FORMS: dict[str, StaffForm] = {
    "site": StaffForm(
        "sites:site_create",
        valid=lambda w: {
            "name": "New site",
            "address": "1 零陵路",
            "latitude": "31.193",
            "longitude": "121.455",
            "status": "candidate",
        },
    ),
    "site edit": StaffForm("sites:site_edit", lambda w: [w["site"].pk]),
    "site status": StaffForm(
        "sites:site_status", lambda w: [w["site"].pk], valid=lambda w: {"reason": "Fire exits"}
    ),
    "site service": StaffForm(
        "sites:siteservice_add",
        lambda w: [w["candidate"].pk],
        valid=lambda w: {"service_type": w["nursery"].pk, "floor_area_m2": "10"},
    ),
    "site service edit": StaffForm("sites:siteservice_edit", lambda w: [w["site_service"].pk]),
    "site service delete": StaffForm(
        "sites:siteservice_delete", lambda w: [w["site_service"].pk], fields=("confirm",)
    ),
    "area": StaffForm(
        "sites:area_create",
        valid=lambda w: {
            "name": "New area",
            "code": "fuzz-new",
            "centroid_lat": "31.195",
            "centroid_lng": "121.455",
            "boundary": _boundary(w),
        },
    ),
    "area edit": StaffForm(
        "sites:area_edit", lambda w: [w["home"].pk], valid=lambda w: {"boundary": ""}
    ),
    "catalogue": StaffForm(
        "sites:servicetype_create",
        valid=lambda w: {
            "code": "fuzz_new",
            "name_zh": "新服务",
            "name_en": "New service",
            "threshold_m": "300",
            "order": "1",
        },
    ),
    "catalogue edit": StaffForm("sites:servicetype_edit", lambda w: [w["canteen"].pk]),
    "monthly review": StaffForm("sites:monthly_review", roles=(PLANNER, ADMIN)),
    "inspection": StaffForm(
        "sites:inspection_create",
        lambda w: [w["site"].pk],
        roles=INSPECTORS,
        valid=lambda w: {
            "date": w["today"],
            "inspectors": "Li",
            "result": "rectify",
            "findings-0-description": "Wet floor",
            "findings-0-rectify_by": w["today"],
        },
    ),
    "finding close": StaffForm(
        "sites:finding_close",
        lambda w: [w["finding"].pk],
        roles=INSPECTORS,
        valid=lambda w: {"closed_on": w["today"], "closure_notes": "Cleared"},
    ),
    "survey": StaffForm(
        "surveys:survey_create",
        valid=lambda w: {"title": "新调查", "title_en": "New survey", "slug": "fuzz-new"},
    ),
    "survey edit": StaffForm("surveys:survey_edit", lambda w: [w["survey"].pk]),
    "survey status": StaffForm(
        "surveys:survey_status",
        lambda w: [w["survey"].pk],
        fields=("status",),
        valid=lambda w: {"status": "closed"},
    ),
    "survey preview": StaffForm(
        "surveys:survey_preview",
        lambda w: [w["survey"].pk],
        roles=(PLANNER, ADMIN, VIEWER, COMMITTEE),
        valid=_survey_answers,
    ),
    "question": StaffForm(
        "surveys:question_create",
        lambda w: [w["survey"].pk],
        valid=lambda w: {"kind": "single", "text": "问题", "choices-0-label": "A"},
    ),
    "question edit": StaffForm("surveys:question_edit", lambda w: [w["questions"]["single"].pk]),
    "question move": StaffForm(
        "surveys:question_move",
        lambda w: [w["questions"]["single"].pk],
        fields=("direction",),
        valid=lambda w: {"direction": "up"},
    ),
    "question remove": StaffForm(
        "surveys:question_remove", lambda w: [w["questions"]["text"].pk], fields=("confirm",)
    ),
    "question restore": StaffForm(
        "surveys:question_restore", lambda w: [w["questions"]["text"].pk], fields=("confirm",)
    ),
    "paper entry": StaffForm(
        "surveys:paper_entry",
        lambda w: [w["survey"].pk],
        roles=(PLANNER, ADMIN, COMMITTEE),
        valid=_survey_answers,
    ),
    "field visit": StaffForm(
        "surveys:fieldvisit_create",
        roles=(PLANNER, ADMIN, COMMITTEE),
        valid=lambda w: {"date": w["today"], "area": w["home"].pk, "residents_count": "4"},
    ),
    "scenario": StaffForm("scenarios:scenario_create", valid=lambda w: {"name": "New plan"}),
    "scenario edit": StaffForm("scenarios:scenario_update", lambda w: [w["scenario"].pk]),
    "scenario evaluate": StaffForm(
        "scenarios:scenario_evaluate", lambda w: [w["scenario"].pk], fields=("confirm",)
    ),
    "addition": StaffForm(
        "scenarios:addition_create",
        lambda w: [w["scenario"].pk],
        valid=lambda w: {
            "site": w["candidate"].pk,
            "service_type": w["canteen"].pk,
            "floor_area_m2": "10",
        },
    ),
    "addition delete": StaffForm(
        "scenarios:addition_delete",
        lambda w: [w["scenario"].pk, w["addition"].pk],
        fields=("confirm",),
    ),
    "optimise": StaffForm(
        "scenarios:scenario_optimise",
        lambda w: [w["scenario"].pk],
        query="service=canteen",
        valid=lambda w: {"service": "canteen", "model": "mclp", "new_sites": "1"},
    ),
    "share": StaffForm(
        "scenarios:scenario_share",
        lambda w: [w["scenario"].pk],
        valid=lambda w: {"services": [w["canteen"].pk, w["nursery"].pk], "new_sites": "1"},
    ),
    "run cancel": StaffForm("scenarios:run_cancel", lambda w: [w["run"].pk], fields=("confirm",)),
}


def _login(client, world: dict, role: str) -> None:
    client.logout()
    client.force_login(world["users"][role])
    client.raise_request_exception = False  # report every server error, not the first


def _error(response) -> str:
    """What went wrong on the server, for the test's report."""
    exc_info = getattr(response, "exc_info", None)
    return f"{response.status_code} {exc_info[1]!r:.160}" if exc_info else str(response.status_code)


def _form_page(client, spec: StaffForm, world: dict) -> tuple[str, list[str], dict]:
    """The form's URL, its field names and valid values, read from its page."""
    url = reverse(spec.url, args=spec.args(world))
    names, values = [], {}
    if not spec.fields:
        page = client.get(f"{url}?{spec.query}" if spec.query else url)
        assert page.status_code == 200, (spec.url, page.status_code)
        names, values = read_form(page.content.decode(), url)
    names = list(dict.fromkeys([*names, *spec.fields, *spec.valid(world)]))
    values = {**values, **spec.valid(world)}
    return url, names, values


def _server_errors(
    client, url: str, names: list[str], base: dict, *, values: list[str], each: bool
) -> list[str]:
    """The values in every field at once; with `each`, also in each field alone (a formset's
    first row stands for the others)."""
    wrong = []
    alone = [[name] for name in names if not re.search(r"-[1-9][0-9]*-", name)] if each else []
    for label in values:
        for changed in [names, *(alone if label in PER_FIELD else [])]:
            data = {**base, **dict.fromkeys(changed, HOSTILE[label])}
            response = post_form(client, url, data)
            if response.status_code >= 500:
                where = "every field" if changed is names else changed[0]
                wrong.append(f"{_error(response)} {url} {where} = {label}")
    return wrong


@pytest.mark.parametrize("form", list(STAFF_FORMS))
def test_no_hostile_value_in_any_field_gets_a_server_error(client, world, form):
    spec = STAFF_FORMS[form]
    wrong = []
    for role in spec.roles:
        _login(client, world, role)
        url, names, base = _form_page(client, spec, world)
        assert post_form(client, url, base).status_code < 500, (role, url, "valid values")
        first = role == spec.roles[0]  # the fields are the same for every role
        values = list(HOSTILE) if first else SAMPLE
        errors = _server_errors(client, url, names, base, values=values, each=first)
        wrong += [f"{role}: {line}" for line in errors]
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("form", list(STAFF_FORMS))
def test_a_role_that_may_not_post_a_form_gets_403_whatever_it_sends(client, world, form):
    spec = STAFF_FORMS[form]
    _login(client, world, spec.roles[0])
    url, names, base = _form_page(client, spec, world)
    outsiders = [r for r in (PLANNER, INSPECTOR, COMMITTEE, VIEWER) if r not in spec.roles]
    for role in outsiders:
        _login(client, world, role)
        for label in SAMPLE:
            data = {**base, **dict.fromkeys(names, HOSTILE[label])}
            status = post_form(client, url, data).status_code
            assert status == 403, (role, url, label, status)


# --- Imports: the hostile values as cells of an uploaded file ------------------------------


def _upload(header: list[str], rows: list[list[str]]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8", errors="surrogatepass")
    return SimpleUploadedFile("fuzz.csv", data, content_type="text/csv")


def _valid_rows(kind: str, world: dict) -> tuple[list[str], list[str]]:
    if kind == "sites":
        row = {
            "id": "",
            "code": "",
            "name": "Imported",
            "address": "2 零陵路",
            "latitude": "31.193",
            "longitude": "121.455",
            "area": world["home"].code,
            "status": "candidate",
            "services": "canteen",
        }
        header = [c for c in imports.SITE_COLUMNS if c in row or c in imports.SITE_REQUIRED]
    else:
        row = {
            "code": "imported",
            "name": "Imported",
            "centroid_lat": "31.195",
            "centroid_lng": "121.455",
            "boundary": _boundary(world),
        }
        header = list(imports.AREA_COLUMNS)
    return header, [row.get(column, "") for column in header]


@pytest.mark.parametrize("kind", ["sites", "areas"])
def test_no_hostile_cell_in_an_import_gets_a_server_error(client, world, kind):
    url = reverse("sites:site_import" if kind == "sites" else "sites:area_import")
    header, valid = _valid_rows(kind, world)
    wrong = []
    for role in PLANNERS:
        _login(client, world, role)
        for label in list(HOSTILE) if role == PLANNERS[0] else SAMPLE:
            value = HOSTILE[label]
            # One row per column with that column hostile: one upload tries them all.
            rows = [
                [value if i == column else cell for i, cell in enumerate(valid)]
                for column in range(len(header))
            ]
            for upload in (_upload(header, rows), _upload(header, [[value] * len(header)])):
                response = client.post(url, {"file": upload})
                if response.status_code >= 500:
                    wrong.append(f"{role}: {_error(response)} {kind} import: {label}")
    assert wrong == [], "\n".join(wrong)
    assert Area.objects.filter(code="imported").count() <= 1


# --- Filter pages: the hostile values in their query strings -------------------------------

FILTER_PAGES = {
    "sites:site_list": ("q", "status", "service", "area", "hazard", "page"),
    "sites:subtraction_review": ("min_reasons",),
    "sites:inspection_create": ("kind", "mode"),
    "surveys:fieldvisit_create": ("area",),
    "surveys:fieldvisit_list": ("page",),
    "surveys:survey_results": ("area", "group", "channel"),
    "surveys:response_list": ("page",),
    "scenarios:demand_list": ("k", "surveys"),
    "scenarios:coverage_list": ("k", "surveys", "detour", "speed", "elderly_speed"),
    "scenarios:gaps": ("level", "group", "detour", "sort", "format"),
    "scenarios:compare": ("scenarios",),
    "scenarios:scenario_optimise": ("service",),
}


def _filter_args(name: str, world: dict) -> list:
    if name == "sites:inspection_create":
        return [world["site"].pk]
    if (
        name.startswith("surveys:")
        and name not in ("surveys:fieldvisit_create",)
        and (name != "surveys:fieldvisit_list")
    ):
        return [world["survey"].pk]
    if name == "scenarios:scenario_optimise":
        return [world["scenario"].pk]
    return []


@pytest.mark.parametrize("name", list(FILTER_PAGES))
def test_no_hostile_query_string_gets_a_server_error(client, world, name):
    role = INSPECTOR if name == "sites:inspection_create" else PLANNER
    _login(client, world, role)
    url = reverse(name, args=_filter_args(name, world))
    wrong = []
    params = FILTER_PAGES[name]
    for label, value in HOSTILE.items():
        if label in ("long", "deep_json_array"):
            value = value[:2000]  # a URL's length is bounded by the server before Django
        alone = [(n,) for n in params] if label in PER_FIELD or label in SAMPLE else []
        for changed in [params, *alone]:
            response = get_query(client, url, dict.fromkeys(changed, value))
            if response.status_code >= 500:
                wrong.append(f"{_error(response)} {url} {','.join(changed)} = {label}")
    assert wrong == [], "\n".join(wrong)


def test_a_superscript_two_as_the_visit_area_is_ignored(client, world):
    _login(client, world, PLANNER)
    page = client.get(reverse("surveys:fieldvisit_create") + "?area=%C2%B2")
    assert page.status_code == 200


def test_a_superscript_two_as_a_site_id_in_an_import_is_reported_on_its_row(client, world):
    _login(client, world, PLANNER)
    header, valid = _valid_rows("sites", world)
    valid[header.index("id")] = "²"
    page = client.post(reverse("sites:site_import"), {"file": _upload(header, [valid])})
    assert page.status_code == 200
    assert "²" in page.content.decode()
    assert not world["site"].__class__.objects.filter(name="Imported").exists()


# --- Ids in addresses: negative ones never match a route; huge ones answer 404 (or 405) ---


@pytest.mark.parametrize("huge", ["99999999999999999999999", str(2**63), "9" * 5000])
def test_a_huge_id_in_any_address_is_404_not_a_server_error(client, world, huge):
    from tests.test_access_matrix import url_patterns

    _login(client, world, ADMIN)
    wrong, checked = [], 0
    for name, route, _pattern in url_patterns():
        if not re.search(r"<(?:int|id):", route):
            continue
        path = "/" + re.sub(r"<(?:int|id):\w+>", huge, route)
        path = path.replace("<slug:code>", "canteen").replace("<str:fmt>", "csv")
        for method in (client.get, client.post):
            response = method(path)
            checked += 1
            if response.status_code not in (404, 405):
                wrong.append(f"{_error(response)} {method.__name__} {name} {path[:80]}")
        assert client.get(path.replace(huge, "-1")).status_code == 404
    assert checked > 40
    assert wrong == [], "\n".join(wrong)
