"""Skip logic on the server: a question shown only for some answers is not required when
hidden, and what is posted for it anyway is not stored; conditions join with all/any, compare
numbers, and test the options of a multiple-choice answer. Exclusive options and the planner's
own constraint message are checked here too."""

import uuid

import pytest
from django.urls import reverse

from surveys.models import Answer, ConditionJoin, QuestionKind, Response
from tests.builders import make_condition, make_question, make_survey

pytestmark = pytest.mark.django_db


def post(client, survey, data):
    url = reverse("public_surveys:survey_form", args=[survey.slug])
    return client.post(url, {"idempotency_key": str(uuid.uuid4()), **data})


@pytest.fixture
def follow_up():
    """Do you use the canteen? yes/no; if yes: how often (required)."""
    survey = make_survey()
    uses = make_question(survey, QuestionKind.SINGLE, choices=["是", "否"], text="用食堂吗？")
    yes, no = uses.choices.order_by("order")
    often = make_question(survey, QuestionKind.NUMBER, text="每周几次？")
    make_condition(often, uses, "equals", yes)
    return survey, uses, often, yes, no


def test_a_hidden_question_is_not_required(client, follow_up):
    survey, uses, often, _yes, no = follow_up
    page = post(client, survey, {uses.field_name: no.pk})
    assert page.status_code == 302
    assert Response.objects.count() == 1


def test_a_shown_question_is_still_required(client, follow_up):
    survey, uses, often, yes, _no = follow_up
    page = post(client, survey, {uses.field_name: yes.pk})
    assert page.status_code == 200
    assert often.field_name in page.context["form"].errors
    assert not Response.objects.exists()


def test_an_answer_posted_for_a_hidden_question_is_not_stored(client, follow_up):
    survey, uses, often, _yes, no = follow_up
    page = post(client, survey, {uses.field_name: no.pk, often.field_name: "3"})
    assert page.status_code == 302
    assert not Answer.objects.filter(question=often).exists()
    assert Answer.objects.filter(question=uses).count() == 1


def test_an_invalid_answer_to_a_hidden_question_does_not_block(client, follow_up):
    survey, uses, often, _yes, no = follow_up
    page = post(client, survey, {uses.field_name: no.pk, often.field_name: "many"})
    assert page.status_code == 302


def test_a_shown_follow_up_is_stored(client, follow_up):
    survey, uses, often, yes, _no = follow_up
    post(client, survey, {uses.field_name: yes.pk, often.field_name: "3"})
    assert Answer.objects.get(question=often).number == 3


def _two_numbers(join):
    survey = make_survey()
    age = make_question(survey, QuestionKind.NUMBER, text="年龄")
    size = make_question(survey, QuestionKind.NUMBER, text="家庭人数")
    target = make_question(survey, QuestionKind.TEXT, text="说明", condition_join=join)
    make_condition(target, age, "greater_than", 59)
    make_condition(target, size, "less_than", 2)
    return survey, age, size, target


@pytest.mark.parametrize(
    ("join", "age", "size", "asked"),
    [
        (ConditionJoin.ALL, "70", "1", True),
        (ConditionJoin.ALL, "70", "3", False),
        (ConditionJoin.ALL, "59", "1", False),
        (ConditionJoin.ANY, "70", "3", True),
        (ConditionJoin.ANY, "40", "1", True),
        (ConditionJoin.ANY, "40", "3", False),
    ],
)
def test_all_and_any_with_greater_and_less_than(client, join, age, size, asked):
    survey, age_q, size_q, target = _two_numbers(join)
    data = {age_q.field_name: age, size_q.field_name: size}
    page = post(client, survey, data)
    # Required when asked: leaving it empty fails only then.
    assert (page.status_code == 200) is asked
    post(client, survey, data | {target.field_name: "独居"})
    assert Answer.objects.filter(question=target).exists() is asked


def test_includes_on_a_multiple_choice(client):
    survey = make_survey()
    needs = make_question(survey, QuestionKind.MULTIPLE, choices=["食堂", "托育", "洗衣"])
    canteen, nursery, _laundry = needs.choices.order_by("order")
    ages = make_question(survey, QuestionKind.NUMBER, text="孩子几岁？")
    make_condition(ages, needs, "includes", nursery)

    assert post(client, survey, {needs.field_name: [canteen.pk]}).status_code == 302
    page = post(client, survey, {needs.field_name: [canteen.pk, nursery.pk]})
    assert page.status_code == 200
    assert ages.field_name in page.context["form"].errors


def test_hiding_cascades_through_a_hidden_source(client):
    survey = make_survey()
    first = make_question(survey, QuestionKind.SINGLE, choices=["是", "否"])
    yes, no = first.choices.order_by("order")
    second = make_question(survey, QuestionKind.NUMBER, required=False)
    third = make_question(survey, QuestionKind.TEXT)
    make_condition(second, first, "equals", yes)
    make_condition(third, second, "answered")
    # The number is posted, but its question is hidden: the third question stays hidden.
    page = post(client, survey, {first.field_name: no.pk, second.field_name: "2"})
    assert page.status_code == 302
    assert not Answer.objects.filter(question__in=[second, third]).exists()


def test_the_page_carries_the_rules_for_the_browser(client, follow_up):
    survey, uses, often, yes, _no = follow_up
    html = client.get(reverse("public_surveys:survey_form", args=[survey.slug])).content.decode()
    assert f'data-question="{often.pk}" data-show-if=' in html
    assert f"&quot;choice&quot;: {yes.pk}" in html
    assert "js/survey-logic.js" in html


def test_an_exclusive_option_cannot_be_combined(client):
    survey = make_survey()
    needs = make_question(
        survey,
        QuestionKind.MULTIPLE,
        choices=["食堂", "托育", {"label": "都不需要", "exclusive": True}],
    )
    canteen, _nursery, none = needs.choices.order_by("order")
    page = post(client, survey, {needs.field_name: [canteen.pk, none.pk]})
    assert page.status_code == 200
    assert "都不需要" in str(page.context["form"].errors[needs.field_name])
    assert post(client, survey, {needs.field_name: [none.pk]}).status_code == 302


def test_the_planners_constraint_message_replaces_the_standard_one(client):
    survey = make_survey()
    size = make_question(
        survey,
        QuestionKind.NUMBER,
        min_value=1,
        max_value=12,
        constraint_message="家庭人数应在1到12之间",
    )
    page = post(client, survey, {size.field_name: "40"})
    assert page.context["form"].errors[size.field_name] == ["家庭人数应在1到12之间"]


def test_without_script_each_conditional_question_says_when_to_answer(client, follow_up, english):
    survey, uses, often, yes, _no = follow_up
    page = client.get(reverse("public_surveys:survey_form", args=[survey.slug]))
    hint = page.content.decode().split(f'id="id_{often.field_name}_when">')[1].split("</p>")[0]
    assert "Answer only if" in hint and f"“{uses.text_en}” is “是”" in hint
