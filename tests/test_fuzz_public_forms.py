"""Fuzzing the residents' survey form: whatever is posted, never a 500 and never half a response.

Hypothesis generates values for every field of a survey with one question of each kind; a post
either stores exactly one complete response (and redirects to the thank-you page) or stores
nothing and shows the form again with messages.
"""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from surveys.models import Answer, Choice, Question, Response, Survey, SurveyStatus
from tests import factories

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
    area = factories.area(name="Fuzz area")
    survey = Survey.objects.create(title="Fuzz", slug="fuzz", status=SurveyStatus.OPEN)
    service = factories.service_type("canteen")
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
