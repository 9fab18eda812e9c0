"""Builders for surveys, responses and scenarios used by the planning tests."""

from __future__ import annotations

from itertools import count

from django.db.models import F

from scenarios.models import Scenario
from sites.models import Area, ServiceType
from surveys.models import Answer, Choice, Question, QuestionKind, Response, Survey

_seq = count(1)


def survey(**kwargs) -> Survey:
    n = next(_seq)
    defaults = {"title": f"Needs survey {n}", "slug": f"needs-{n}", "status": "open"}
    defaults.update(kwargs)
    return Survey.objects.create(**defaults)


def need_question(survey_obj: Survey, services: list[ServiceType]) -> dict[str, Choice]:
    """A multiple-choice question with one choice per service; returns choices by code."""
    question = Question.objects.create(
        survey=survey_obj, kind=QuestionKind.MULTIPLE, text="你需要哪些服务?"
    )
    return {
        s.code: Choice.objects.create(question=question, label=s.name_zh, service_type=s)
        for s in services
    }


def respond(survey_obj: Survey, area: Area | None, chosen: list[Choice] = ()) -> Response:
    """One response in an area choosing the given choices (bumps the survey's version)."""
    response = Response.objects.create(survey=survey_obj, area=area)
    Answer.objects.bulk_create(
        Answer(response=response, question=c.question, choice=c) for c in chosen
    )
    Survey.objects.filter(pk=survey_obj.pk).update(results_version=F("results_version") + 1)
    return response


def many_responses(survey_obj: Survey, area: Area, n: int, chosen: list[Choice] = ()) -> None:
    """n responses in an area, each choosing the given choices, in a few bulk queries."""
    responses = Response.objects.bulk_create(
        Response(survey=survey_obj, area=area) for _ in range(n)
    )
    if not responses or responses[0].pk is None:  # backends that return no ids
        responses = list(Response.objects.filter(survey=survey_obj, area=area))
    Answer.objects.bulk_create(
        (Answer(response=r, question=c.question, choice=c) for r in responses for c in chosen),
        batch_size=2000,
    )
    Survey.objects.filter(pk=survey_obj.pk).update(results_version=F("results_version") + 1)


def scenario(**kwargs) -> Scenario:
    defaults = {"name": f"Scenario {next(_seq)}"}
    defaults.update(kwargs)
    return Scenario.objects.create(**defaults)
