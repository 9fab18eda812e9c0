"""Builders for test data: plain functions with sensible defaults, overridable by keyword.

The one home of the suite's set-up: places (areas, service types, sites), people (users in a
role, committee users with their area), surveys with questions and choices, responses, and
scenarios. Files for import tests live in tests/sites/builders.py, walking routes in
tests/public/builders.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import F

from fenglin import roles
from scenarios.models import Scenario
from sites.models import (
    Area,
    ResidentialPoint,
    ServiceType,
    Site,
    SiteService,
    SiteStatus,
    StaffProfile,
    WalkingNetwork,
)
from sites.network import activate_network
from sites.residential_services import save_residential_point
from sites.safety.models import Finding
from sites.safety.schedules import shanghai_today
from sites.safety.services import NewFinding, record_inspection
from siting import network as core
from siting.network_changes import lines_digest, segment_lines
from surveys.models import (
    Answer,
    Channel,
    Choice,
    Question,
    QuestionCondition,
    QuestionKind,
    RespondentGroup,
    Response,
    Survey,
    SurveyStatus,
)
from surveys.services import answer_rows

_seq = count(1)

PASSWORD = "a-long-test-password-1"


# --- People --------------------------------------------------------------------------------


def make_user(
    username: str | None = None,
    role: str | None = None,
    *,
    superuser: bool = False,
    area: Area | None = None,
):
    """A user in one role group (groups are synced from fenglin.roles first); with `area`, a
    committee member's staff profile scopes them to it."""
    roles.sync_role_groups()
    user = get_user_model().objects.create_user(
        username=username or f"user-{next(_seq)}",
        password=PASSWORD,
        is_staff=superuser,
        is_superuser=superuser,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    if area is not None:
        StaffProfile.objects.create(user=user, area=area)
    return user


# --- Places --------------------------------------------------------------------------------


def make_area(**kwargs) -> Area:
    n = next(_seq)
    defaults = {
        "name": f"Area {n}",
        "code": f"area-{n}",
        "centroid_lat": Decimal("31.193000"),
        "centroid_lng": Decimal("121.455000"),
        "population_total": 5000,
        "population_elderly": 1500,
        "population_children_0_6": 300,
        "population_children_7_14": 400,
        "population_disabled": 100,
        "households": 2000,
    }
    defaults.update(kwargs)
    return Area.objects.create(**defaults)


def make_service_type(code: str = "canteen", **kwargs) -> ServiceType:
    """A service type from the seeded catalogue, or a new one when the code is new."""
    existing = ServiceType.objects.filter(code=code).first()
    if existing and not kwargs:
        return existing
    defaults = {
        "name_zh": code,
        "name_en": code.replace("_", " ").title(),
        "threshold_m": 300,
        "target_group": "all",
        "level": "5min",
    }
    defaults.update(kwargs)
    obj, _created = ServiceType.objects.update_or_create(code=code, defaults=defaults)
    return obj


def make_site(**kwargs) -> Site:
    n = next(_seq)
    defaults = {
        "name": f"Site {n}",
        "address": f"{n} 零陵路",
        "latitude": Decimal("31.193000"),
        "longitude": Decimal("121.455000"),
        "floor_area_m2": Decimal("500"),
        "status": SiteStatus.OPERATING,
    }
    defaults.update(kwargs)
    return Site.objects.create(**defaults)


def make_site_service(
    site: Site | None = None, service: ServiceType | None = None, **kwargs
) -> SiteService:
    return SiteService.objects.create(
        site=site or make_site(), service_type=service or make_service_type(), **kwargs
    )


def make_residential_point(**kwargs) -> ResidentialPoint:
    """A housing estate of 1,000 residents (300 elderly); without `area`, placed in the area
    its coordinates fall in, as the import and the admin place it."""
    n = next(_seq)
    defaults = {
        "code": f"home-{n}",
        "name": f"小区 {n}",
        "latitude": Decimal("31.193000"),
        "longitude": Decimal("121.455000"),
        "population_total": 1000,
        "population_elderly": 300,
    }
    defaults.update(kwargs)
    return save_residential_point(point=ResidentialPoint(**defaults))


def make_open_finding(
    site: Site,
    *,
    on: date | None = None,
    due: date | None = None,
    mode: str = "self",
    result: str = "rectify",
    today: date | None = None,
) -> Finding:
    """A fire inspection of `site` on `on` (default today) leaving one open finding, "Blocked
    exit", due a week later unless `due` says; the site's fire flag goes up with it."""
    on = on or shanghai_today()
    inspection = record_inspection(
        site=site,
        kind="fire",
        mode=mode,
        date=on,
        inspectors="Wang",
        result=result,
        findings=[NewFinding("Blocked exit", due or on + timedelta(days=7))],
        today=today,
    )
    return inspection.findings.get()


# --- Surveys and responses -----------------------------------------------------------------


def make_survey(**kwargs) -> Survey:
    """An open survey with no questions yet."""
    n = next(_seq)
    defaults = {
        "title": f"测试调查 {n}",
        "title_en": f"Test survey {n}",
        "status": SurveyStatus.OPEN,
    }
    defaults.update(kwargs)
    defaults.setdefault("slug", f"test-{uuid.uuid4().hex[:8]}")
    return Survey.objects.create(**defaults)


def make_question(survey: Survey, kind: str, choices=(), **kwargs) -> Question:
    """A question at the end of the survey; `choices` are labels or Choice field dicts."""
    order = survey.questions.count()
    defaults = {"text": f"问题 {order + 1}", "text_en": f"Question {order + 1}", "order": order}
    defaults.update(kwargs)
    q = Question.objects.create(survey=survey, kind=kind, **defaults)
    for position, spec in enumerate(choices):
        if isinstance(spec, str):
            spec = {"label": spec}
        Choice.objects.create(question=q, order=position, **spec)
    return q


def make_condition(question: Question, source: Question, operator: str, value=None, **kwargs):
    """Skip logic: ask `question` only when `source`'s answer matches (a Choice or a number)."""
    if isinstance(value, Choice):
        kwargs["choice"] = value
    elif value is not None:
        kwargs["number"] = Decimal(str(value))
    return QuestionCondition.objects.create(
        question=question, source=source, operator=operator, **kwargs
    )


def make_need_question(survey: Survey, services: Iterable[ServiceType]) -> dict[str, Choice]:
    """A multiple-choice question with one choice per service; returns choices by code."""
    question = make_question(
        survey,
        QuestionKind.MULTIPLE,
        choices=[{"label": s.name_zh, "service_type": s} for s in services],
        text="你需要哪些服务?",
    )
    return {c.service_type.code: c for c in question.choices.select_related("service_type")}


def make_full_survey(areas=(), **kwargs) -> tuple[Survey, dict[str, Question]]:
    """A survey with one question of each kind, all required except the point and text."""
    s = make_survey(**kwargs)
    qs = {
        "area": make_question(s, QuestionKind.AREA, text_en="Where do you live?"),
        "household": make_question(
            s,
            QuestionKind.MULTIPLE,
            choices=[
                {
                    "label": "老人",
                    "label_en": "Elderly",
                    "respondent_group": RespondentGroup.ELDERLY,
                },
                {
                    "label": "儿童",
                    "label_en": "Child",
                    "respondent_group": RespondentGroup.CHILDREN,
                },
                {"label": "无", "label_en": "None"},
            ],
            text_en="Household",
        ),
        "single": make_question(
            s, QuestionKind.SINGLE, choices=["A", "B", "C"], text_en="Pick one"
        ),
        "multiple": make_question(
            s,
            QuestionKind.MULTIPLE,
            choices=["Canteen", "Nursery", "Laundry", "Bakery"],
            max_choices=2,
            text_en="Pick up to two",
        ),
        "rating": make_question(s, QuestionKind.RATING, text_en="Rate"),
        "number": make_question(
            s,
            QuestionKind.NUMBER,
            min_value=Decimal(0),
            max_value=Decimal(10),
            text_en="How many",
        ),
        "text": make_question(s, QuestionKind.TEXT, required=False, max_length=20, text_en="Say"),
        "point": make_question(s, QuestionKind.POINT, required=False, text_en="Pin"),
    }
    return s, qs


def choice_ids(q: Question) -> list[int]:
    return list(q.choices.order_by("order").values_list("pk", flat=True))


def valid_post(qs: dict[str, Question], area, **overrides) -> dict:
    """Form data that answers every question of make_full_survey validly."""
    data = {
        "idempotency_key": str(uuid.uuid4()),
        qs["area"].field_name: str(area.pk),
        qs["household"].field_name: [str(choice_ids(qs["household"])[0])],
        qs["single"].field_name: str(choice_ids(qs["single"])[1]),
        qs["multiple"].field_name: [str(c) for c in choice_ids(qs["multiple"])[:2]],
        qs["rating"].field_name: "4",
        qs["number"].field_name: "3",
        qs["text"].field_name: "more benches",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_responses(
    survey: Survey, count: int, *, area=None, choices=(), channel=Channel.ONLINE, **flags
) -> list[Response]:
    """Many responses at once, each choosing every given choice (one Answer row each), written
    as the service writes them; bumps the survey's results version once and reloads it."""
    responses = _write_responses(
        survey, count, area=area, choices=choices, channel=channel, **flags
    )
    survey.refresh_from_db()
    return responses


def make_response(survey: Survey, area: Area | None, chosen: Iterable[Choice] = ()) -> Response:
    """One response in an area choosing the given choices. The survey object passed in is not
    reloaded, so a test can still hold a stale copy of it (lost-update checks)."""
    return _write_responses(survey, 1, area=area, choices=list(chosen))[0]


def _write_responses(survey: Survey, count: int, *, area, choices, channel=Channel.ONLINE, **flags):
    responses = Response.objects.bulk_create(
        Response(survey=survey, area=area, channel=channel, **flags) for _ in range(count)
    )
    Answer.objects.bulk_create(
        (
            row
            for r in responses
            for row in answer_rows(r, [(c.question_id, c, None, "") for c in choices])
        ),
        batch_size=5000,
    )
    Survey.objects.filter(pk=survey.pk).update(results_version=F("results_version") + 1)
    return responses


# --- The walking network -------------------------------------------------------------------


def make_walking_network(
    lines, *, name: str = "Test streets", illustrative: bool = False, active: bool = True
) -> WalkingNetwork:
    """A stored walking network version from lines of ``(lng, lat)`` vertices, active unless
    told otherwise (as ``import_network`` stores one, without a file)."""
    network = core.WalkingNetwork.from_lines(lines)
    stored = segment_lines(network)
    version = WalkingNetwork.objects.create(
        name=name,
        illustrative=illustrative,
        lines=stored,
        segment_count=network.edge_count,
        length_m=network.length_m,
        digest=lines_digest(stored),
    )
    if active:
        activate_network(network=version)
    return version


# --- Planning ------------------------------------------------------------------------------


def make_scenario(**kwargs) -> Scenario:
    defaults = {"name": f"Scenario {next(_seq)}"}
    defaults.update(kwargs)
    return Scenario.objects.create(**defaults)


# --- Files ---------------------------------------------------------------------------------


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 6), **save) -> bytes:
    """A real image of `size` pixels in `fmt` (PNG, JPEG, WEBP), as a phone would upload."""
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", size, (200, 60, 40)).save(out, fmt, **save)
    return out.getvalue()
