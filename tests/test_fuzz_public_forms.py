"""Fuzzing the residents' survey form: whatever is posted, never a 500 and never half a response.

Hypothesis generates values for every field of a survey with one question of each kind; a post
either stores exactly one complete response (and redirects to the thank-you page) or stores
nothing and shows the form again with messages. Then every hostile value of tests/fuzzing.py
goes into every field of the survey, the login and language forms, and the public pages' query
strings.
"""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from surveys.models import Answer, Choice, Question, Response, Survey, SurveyStatus
from tests.builders import make_area, make_service_type
from tests.fuzzing import HOSTILE, PER_FIELD, SAMPLE, get_query, post_form, read_form

KINDS = ["single", "multiple", "rating", "number", "text", "area", "point"]

# Values a browser, a bot or a broken phone might send for any field.
field_values = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=8).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "1",
            "5",
            "6",
            "-1",
            "31.19",
            "121.45",
            "NaN",
            "1e309",
            "null",
            "[]",
            "\x00",
            "９",
            "３１．１９",
            "<script>",
            "' OR 1=1 --",
        ]
    ),
)


@pytest.fixture
def fuzz_survey(db, settings):
    settings.SURVEY_RATE_LIMITS = {"per_address": (10**9, 60), "per_survey": (10**9, 60)}
    area = make_area(name="Fuzz area")
    survey = Survey.objects.create(title="Fuzz", slug="fuzz", status=SurveyStatus.OPEN)
    service = make_service_type("canteen")
    for order, kind in enumerate(KINDS):
        question = Question.objects.create(
            survey=survey,
            kind=kind,
            text=f"{kind}?",
            order=order,
            required=kind in {"single", "area"},
            max_choices=2 if kind == "multiple" else None,
            min_value=Decimal(0) if kind == "number" else None,
            max_value=Decimal(100) if kind == "number" else None,
            max_length=50 if kind == "text" else None,
        )
        if kind in {"single", "multiple"}:
            for n in range(3):
                Choice.objects.create(
                    question=question, label=f"c{n}", order=n, service_type=service
                )
    return survey, area


@pytest.mark.django_db
@hsettings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_post_is_stored_whole_or_not_at_all(client, fuzz_survey, data):
    survey, area = fuzz_survey
    names = ["idempotency_key", "website"]
    for question in survey.questions.all():
        names.append(question.field_name)
        if question.kind == "point":
            names += [f"{question.field_name}_{part}" for part in ("lat", "lng", "area")]
    post = {}
    for name in names:
        if data.draw(st.booleans(), label=f"send {name}"):
            many = data.draw(st.lists(field_values, min_size=1, max_size=3), label=name)
            post[name] = many if len(many) > 1 else many[0]
    # Now and then send a plausible area and key, so valid submissions are fuzzed too.
    if data.draw(st.booleans(), label="plausible"):
        post.setdefault("idempotency_key", str(uuid.uuid4()))
        post[survey.questions.get(kind="area").field_name] = str(area.pk)
    responses_before, answers_before = Response.objects.count(), Answer.objects.count()

    result = client.post(reverse("public_surveys:survey_form", args=[survey.slug]), post)

    assert result.status_code in (200, 302, 400, 429), result.status_code
    stored = Response.objects.count() - responses_before
    if result.status_code == 302 and stored == 1:
        response = Response.objects.latest("pk")
        # A complete response: the required single choice and the area are there.
        assert response.area_id == area.pk
        assert response.answers.filter(question__kind="single").count() == 1
    else:
        assert stored == 0
        assert Answer.objects.count() == answers_before


# --- Hostile values, every one in every field (see tests/fuzzing.py) -------------------------


@pytest.fixture
def public_client(client):
    client.raise_request_exception = False  # report every server error, not the first
    return client


def _server_error(response) -> str:
    exc_info = getattr(response, "exc_info", None)
    return f"{response.status_code} {exc_info[1]!r:.160}" if exc_info else str(response.status_code)


@pytest.mark.django_db
def test_no_hostile_value_in_any_field_of_the_survey_gets_a_server_error(
    public_client, fuzz_survey
):
    survey, area = fuzz_survey
    url = reverse("public_surveys:survey_form", args=[survey.slug])
    names, base = read_form(public_client.get(url).content.decode(), url)
    valid = {survey.questions.get(kind="area").field_name: str(area.pk)}
    valid[survey.questions.get(kind="single").field_name] = str(
        Choice.objects.filter(question__survey=survey, question__kind="single").first().pk
    )
    wrong = []
    for label, value in HOSTILE.items():
        alone = [[name] for name in names] if label in PER_FIELD or label in SAMPLE else []
        for changed in [names, *alone]:
            data = {**base, **valid, "idempotency_key": str(uuid.uuid4())}
            data.update(dict.fromkeys(changed, value))
            before = Response.objects.count(), Answer.objects.count()
            response = post_form(public_client, url, data)
            where = "every field" if changed is names else changed[0]
            if response.status_code >= 500:
                wrong.append(f"{_server_error(response)} {where} = {label}")
            elif response.status_code != 302 and (
                (Response.objects.count(), Answer.objects.count()) != before
            ):
                wrong.append(f"half stored: {where} = {label}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("public_service_map", ("area", "lat", "lng", "place", "q", "minutes", "category")),
        ("public_route_list", ("page",)),
        ("home", ("q",)),
    ],
)
def test_no_hostile_query_string_on_a_public_page_gets_a_server_error(
    public_client, url_name, params
):
    make_area(name="Fuzz area")
    url = reverse(url_name)
    wrong = []
    for label, value in HOSTILE.items():
        value = value[:2000]  # a URL's length is bounded by the server before Django
        for changed in [params, *[(name,) for name in params]]:
            response = get_query(public_client, url, dict.fromkeys(changed, value))
            if response.status_code >= 500:
                wrong.append(f"{_server_error(response)} {','.join(changed)} = {label}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "names"),
    [("login", ("username", "password", "next")), ("set_language", ("language", "next"))],
)
def test_no_hostile_value_in_the_login_or_language_form_gets_a_server_error(
    public_client, url_name, names
):
    url = reverse(url_name)
    wrong = []
    for label, value in HOSTILE.items():
        for changed in [names, *[(name,) for name in names]]:
            data = {"username": "someone", "password": "a-password-1", "language": "en"}
            data.update(dict.fromkeys(changed, value))
            response = post_form(public_client, url, data)
            if response.status_code >= 500:
                wrong.append(f"{_server_error(response)} {','.join(changed)} = {label}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.django_db
def test_a_failed_login_with_a_huge_username_is_recorded_cut_to_fit(client):
    from axes.models import AccessAttempt

    page = client.post(reverse("login"), {"username": "x" * 5000, "password": "a-password-1"})
    assert page.status_code == 200
    assert AccessAttempt.objects.get().username == "x" * 255
