"""Builders for survey tests: a survey with one question of every kind, and quick responses."""

import uuid
from decimal import Decimal

from surveys.models import (
    Answer,
    Channel,
    Choice,
    Question,
    QuestionKind,
    RespondentGroup,
    Response,
    Survey,
    SurveyStatus,
)
from surveys.services import answer_rows


def survey(**kwargs) -> Survey:
    defaults = {"title": "测试调查", "title_en": "Test survey", "status": SurveyStatus.OPEN}
    defaults.update(kwargs)
    defaults.setdefault("slug", f"test-{uuid.uuid4().hex[:8]}")
    return Survey.objects.create(**defaults)


def question(survey_obj: Survey, kind: str, choices=(), **kwargs) -> Question:
    order = survey_obj.questions.count()
    defaults = {"text": f"问题 {order + 1}", "text_en": f"Question {order + 1}", "order": order}
    defaults.update(kwargs)
    q = Question.objects.create(survey=survey_obj, kind=kind, **defaults)
    for position, spec in enumerate(choices):
        if isinstance(spec, str):
            spec = {"label": spec}
        Choice.objects.create(question=q, order=position, **spec)
    return q


def full_survey(areas=(), **kwargs) -> tuple[Survey, dict[str, Question]]:
    """A survey with one question of each kind, all required except the point and text."""
    s = survey(**kwargs)
    qs = {
        "area": question(s, QuestionKind.AREA, text_en="Where do you live?"),
        "household": question(
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
        "single": question(s, QuestionKind.SINGLE, choices=["A", "B", "C"], text_en="Pick one"),
        "multiple": question(
            s,
            QuestionKind.MULTIPLE,
            choices=["Canteen", "Nursery", "Laundry", "Bakery"],
            max_choices=2,
            text_en="Pick up to two",
        ),
        "rating": question(s, QuestionKind.RATING, text_en="Rate"),
        "number": question(
            s,
            QuestionKind.NUMBER,
            min_value=Decimal(0),
            max_value=Decimal(10),
            text_en="How many",
        ),
        "text": question(s, QuestionKind.TEXT, required=False, max_length=20, text_en="Say"),
        "point": question(s, QuestionKind.POINT, required=False, text_en="Pin"),
    }
    return s, qs


def choice_ids(q: Question) -> list[int]:
    return list(q.choices.order_by("order").values_list("pk", flat=True))


def valid_post(qs: dict[str, Question], area, **overrides) -> dict:
    """Form data that answers every question of full_survey validly."""
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


def bulk_responses(
    survey_obj: Survey, count: int, *, area=None, choices=(), channel=Channel.ONLINE, **flags
) -> list[Response]:
    """Many responses at once, each choosing every given choice (one Answer row each)."""
    responses = Response.objects.bulk_create(
        Response(survey=survey_obj, area=area, channel=channel, **flags) for _ in range(count)
    )
    Answer.objects.bulk_create(
        (
            row
            for r in responses
            for row in answer_rows(r, [(c.question_id, c, None, "") for c in choices])
        ),
        batch_size=5000,
    )
    Survey.objects.filter(pk=survey_obj.pk).update(results_version=survey_obj.results_version + 1)
    survey_obj.refresh_from_db()
    return responses
