"""The demo survey: idempotent, the requested number of responses, plausibly skewed."""

import io

import pytest
from django.db.models import Count, Q

from sites import demo as sites_demo
from surveys import demo
from surveys.models import Answer, Channel, Response, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_areas():
    sites_demo.load(stdout=io.StringIO(), responses=0, seed=1)


def test_load_is_idempotent_and_grows_to_the_requested_count(demo_areas):
    demo.load(stdout=io.StringIO(), responses=300, seed=7)
    survey = Survey.objects.get(title="天龙生活盒子功能需求调查")
    answers = Answer.objects.count()
    keys = set(survey.responses.values_list("idempotency_key", flat=True))
    demo.load(stdout=io.StringIO(), responses=300, seed=7)
    assert survey.responses.count() == 300
    assert Answer.objects.count() == answers
    demo.load(stdout=io.StringIO(), responses=400, seed=7)
    assert survey.responses.count() == 400
    assert keys < set(survey.responses.values_list("idempotency_key", flat=True))
    assert Survey.objects.filter(slug=demo.SLUG).count() == 1


def test_demo_responses_are_plausible(demo_areas):
    demo.load(stdout=io.StringIO(), responses=1000, seed=2026)
    responses = Response.objects.all()
    assert responses.count() == 1000
    assert responses.filter(area__isnull=True).count() == 0
    assert responses.values("area").distinct().count() > 10
    channels = dict(responses.values_list("channel").annotate(n=Count("pk")))
    assert channels[Channel.ONLINE] > 100 and channels[Channel.PAPER] > 100

    def share(service_code: str, **flags) -> float:
        group = responses.filter(**flags)
        asked = group.filter(answers__choice__service_type__code=service_code).distinct()
        return asked.count() / group.count()

    assert share("canteen", has_elderly=True) > share("canteen", has_elderly=False) + 0.1
    assert share("nursery", has_children=True) > share("nursery", has_children=False) + 0.2
    # No multiple-choice answer exceeds the question's maximum.
    too_many = (
        Answer.objects.filter(question__max_choices__isnull=False)
        .values("response", "question__max_choices")
        .annotate(n=Count("pk"))
        .filter(n__gt=5)
    )
    assert not too_many.exists()
    assert not responses.filter(Q(has_elderly=False), answers__choice__label="60岁及以上老人")


def test_loads_without_areas_without_failing(db):
    out = io.StringIO()
    demo.load(stdout=out, responses=50, seed=1)
    assert Survey.objects.filter(slug=demo.SLUG).exists()
    assert "0 responses" in out.getvalue()
