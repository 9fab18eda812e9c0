"""The question builder by kind: each kind's editor shows only its own settings; options are
unlimited, added one blank row at a time, reordered and removed inline; an exclusive option;
skip logic edited with the question; slugs made from the title; removal asks first and can be
undone."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.models import Choice, Question, QuestionKind, Survey, SurveyStatus
from tests.builders import make_condition, make_question, make_responses, make_survey

pytestmark = pytest.mark.django_db

SETTINGS = {
    "max_choices",
    "min_value",
    "max_value",
    "integer_only",
    "constraint_message",
    "scale_min_label",
    "scale_max_label",
    "max_length",
}
OWN = {
    QuestionKind.SINGLE: set(),
    QuestionKind.MULTIPLE: {"max_choices", "constraint_message"},
    QuestionKind.RATING: {"scale_min_label", "scale_max_label"},
    QuestionKind.NUMBER: {"min_value", "max_value", "integer_only", "constraint_message"},
    QuestionKind.TEXT: {"max_length"},
    QuestionKind.AREA: set(),
    QuestionKind.POINT: set(),
}


def new_question(survey):
    return reverse("surveys:question_create", args=[survey.pk])


def options(rows: list[dict], initial: int = 0) -> dict:
    data = {
        "choices-TOTAL_FORMS": str(len(rows)),
        "choices-INITIAL_FORMS": str(initial),
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "500",
    }
    for i, row in enumerate(rows):
        data |= {f"choices-{i}-{key}": value for key, value in row.items()}
    return data


def test_a_new_question_starts_by_choosing_its_kind(planner_client):
    survey = make_survey()
    page = planner_client.get(new_question(survey))
    html = page.content.decode()
    assert page.templates[0].name == "surveys/question_kind.html"
    for kind in QuestionKind.values:
        assert f'href="?kind={kind}"' in html


@pytest.mark.parametrize("kind", QuestionKind.values)
def test_each_kind_shows_only_its_own_settings(planner_client, kind):
    survey = make_survey()
    form = planner_client.get(new_question(survey), {"kind": kind}).context["form"]
    shown = {name for name in SETTINGS if name in form.fields}
    assert shown == OWN[kind]
    html = planner_client.get(new_question(survey), {"kind": kind}).content.decode()
    assert ('id="choices"' in html) is (kind in ("single", "multiple"))


def test_area_and_map_editors_say_what_residents_choose_from(planner_client, areas):
    survey = make_survey()
    area = planner_client.get(new_question(survey), {"kind": "area"}).content.decode()
    assert 'id="area-list"' in area and areas[0].name in area
    point = planner_client.get(new_question(survey), {"kind": "point"}).content.decode()
    assert 'id="map-bounds"' in point


def test_one_blank_option_row_and_unlimited_options(planner_client):
    survey = make_survey()
    page = planner_client.get(new_question(survey), {"kind": "single"})
    assert len(page.context["formset"].forms) == 1
    rows = [{"label": f"选项 {n}"} for n in range(80)]
    data = {"kind": "single", "text": "很多选项", "required": "on"} | options(rows)
    page = planner_client.post(new_question(survey), data)
    assert page.status_code == 302
    assert Choice.objects.count() == 80


def test_options_are_saved_in_the_order_given(planner_client):
    survey = make_survey()
    rows = [{"label": "乙", "ORDER": "2"}, {"label": "甲", "ORDER": "1"}, {"label": ""}]
    data = {"kind": "single", "text": "顺序", "required": "on"} | options(rows)
    assert planner_client.post(new_question(survey), data).status_code == 302
    question = Question.objects.get()
    assert [c.label for c in question.choices.order_by("order")] == ["甲", "乙"]


def test_reorder_and_remove_existing_options(planner_client):
    survey = make_survey()
    question = make_question(survey, QuestionKind.SINGLE, choices=["a", "b", "c"])
    a, b, c = question.choices.order_by("order")
    rows = [
        {"id": a.pk, "label": "a", "ORDER": "2"},
        {"id": b.pk, "label": "b", "ORDER": "3", "DELETE": "on"},
        {"id": c.pk, "label": "c", "ORDER": "1"},
        {"label": "d", "ORDER": "3"},
    ]
    data = {"text": question.text, "required": "on"} | options(rows, initial=3)
    page = planner_client.post(reverse("surveys:question_edit", args=[question.pk]), data)
    assert page.status_code == 302
    assert [c.label for c in question.choices.order_by("order")] == ["c", "a", "d"]


def test_save_and_add_another_option_comes_back_to_the_editor(planner_client):
    survey = make_survey()
    data = {"kind": "single", "text": "Q", "required": "on", "add_option": "1"}
    data |= options([{"label": "一"}])
    page = planner_client.post(new_question(survey), data)
    question = Question.objects.get()
    assert page["Location"].startswith(reverse("surveys:question_edit", args=[question.pk]))


def test_an_exclusive_option_is_offered_on_multiple_choice_only(planner_client):
    survey = make_survey()
    single = planner_client.get(new_question(survey), {"kind": "single"}).context["formset"]
    assert "exclusive" not in single.forms[0].fields
    data = {"kind": "multiple", "text": "需要", "required": "on"}
    data |= options([{"label": "食堂"}, {"label": "都不需要", "exclusive": "on"}])
    assert planner_client.post(new_question(survey), data).status_code == 302
    assert Choice.objects.get(label="都不需要").exclusive


def test_number_settings_and_their_contradiction(planner_client):
    survey = make_survey()
    base = {"kind": "number", "text": "人数", "required": "on", "min_value": "1"}
    page = planner_client.post(
        new_question(survey), base | {"max_value": "2.5"} | {"integer_only": "on"}
    )
    assert page.status_code == 200
    assert "integer_only" in page.context["form"].errors
    page = planner_client.post(
        new_question(survey), base | {"max_value": "12", "constraint_message": "1到12"}
    )
    assert page.status_code == 302
    question = Question.objects.get()
    assert not question.integer_only and question.constraint_message == "1到12"


def test_rating_scale_labels(planner_client):
    survey = make_survey()
    data = {
        "kind": "rating",
        "text": "满意度",
        "scale_min_label": "很差",
        "scale_max_label": "很好",
    }
    assert planner_client.post(new_question(survey), data).status_code == 302
    question = Question.objects.get()
    form = planner_client.get(reverse("public_surveys:survey_form", args=[survey.slug]))
    labels = dict(form.context["form"].fields[question.field_name].choices)
    assert labels[1] == "1 – 很差" and labels[5] == "5 – 很好" and labels[3] == "3"


def test_changing_the_kind_resets_the_old_kinds_settings(planner_client):
    survey = make_survey()
    question = make_question(survey, QuestionKind.NUMBER, min_value=1, max_value=9)
    data = {"kind": "text", "text": question.text, "required": "on", "max_length": "50"}
    page = planner_client.post(reverse("surveys:question_edit", args=[question.pk]), data)
    assert page.status_code == 302
    question.refresh_from_db()
    assert question.kind == "text" and question.min_value is None and question.max_length == 50


def test_the_kind_of_an_answered_question_cannot_change(planner_client):
    survey = make_survey()
    question = make_question(survey, QuestionKind.SINGLE, choices=["a"])
    make_responses(survey, 1, choices=[question.choices.get()])
    url = reverse("surveys:question_edit", args=[question.pk])
    html = planner_client.get(url, {"kind": "text"}).content.decode()
    assert 'id="kind-fixed"' in html and 'id="choices"' in html


def test_skip_logic_is_edited_with_the_question(planner_client):
    survey = make_survey()
    uses = make_question(survey, QuestionKind.SINGLE, choices=["是", "否"])
    yes = uses.choices.first()
    data = {
        "kind": "number",
        "text": "每周几次？",
        "required": "on",
        "condition_join": "all",
        "conditions-TOTAL_FORMS": "1",
        "conditions-INITIAL_FORMS": "0",
        "conditions-0-source": uses.pk,
        "conditions-0-operator": "equals",
        "conditions-0-choice": yes.pk,
    }
    assert planner_client.post(new_question(survey), data).status_code == 302
    often = Question.objects.get(kind="number")
    [condition] = often.conditions.all()
    assert (condition.source, condition.choice, condition.number) == (uses, yes, None)
    detail = planner_client.get(survey.get_absolute_url()).content.decode()
    assert "每周几次" in detail and "condition-text" in detail
    editor = planner_client.get(reverse("surveys:question_edit", args=[often.pk]))
    assert f'<optgroup label="{uses.text}">' in editor.content.decode()  # options by question


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"operator": "greater_than", "number": "1"}, "operator"),  # not on a choice
        ({"operator": "equals"}, "choice"),  # which option?
    ],
)
def test_a_condition_that_cannot_work_is_refused_beside_its_field(planner_client, row, field):
    survey = make_survey()
    uses = make_question(survey, QuestionKind.SINGLE, choices=["是", "否"])
    data = {
        "kind": "text",
        "text": "为什么？",
        "conditions-TOTAL_FORMS": "1",
        "conditions-INITIAL_FORMS": "0",
        "conditions-0-source": uses.pk,
    } | {f"conditions-0-{k}": v for k, v in row.items()}
    page = planner_client.post(new_question(survey), data)
    assert page.status_code == 200
    assert field in page.context["conditions"].forms[0].errors
    assert Question.objects.count() == 1


def test_a_condition_can_only_read_an_earlier_question(planner_client):
    survey = make_survey()
    make_question(survey, QuestionKind.TEXT)
    middle = make_question(survey, QuestionKind.TEXT)
    later = make_question(survey, QuestionKind.NUMBER)
    data = {
        "text": middle.text,
        "conditions-TOTAL_FORMS": "1",
        "conditions-INITIAL_FORMS": "0",
        "conditions-0-source": later.pk,
        "conditions-0-operator": "answered",
    }
    page = planner_client.post(reverse("surveys:question_edit", args=[middle.pk]), data)
    assert page.status_code == 200
    assert "source" in page.context["conditions"].forms[0].errors
    assert not middle.conditions.exists()


def test_the_slug_is_made_from_the_english_title_and_stays_editable(planner_client):
    url = reverse("surveys:survey_create")
    planner_client.post(url, {"title": "居民需求", "title_en": "Residents' needs in 2026"})
    planner_client.post(url, {"title": "居民需求", "title_en": "Residents' needs in 2026"})
    planner_client.post(url, {"title": "只有中文"})
    planner_client.post(url, {"title": "自定", "slug": "my-own"})
    slugs = set(Survey.objects.values_list("slug", flat=True))
    assert {"residents-needs-in-2026", "residents-needs-in-2026-2", "my-own"} <= slugs
    [dated] = slugs - {"residents-needs-in-2026", "residents-needs-in-2026-2", "my-own"}
    assert dated.startswith("survey-20") and len(dated) <= 20


def test_removing_asks_first_then_can_be_undone(planner_client):
    survey = make_survey(status=SurveyStatus.DRAFT)
    source = make_question(survey, QuestionKind.SINGLE, choices=["是", "否"], text="用食堂吗？")
    follow = make_question(survey, QuestionKind.TEXT, text="为什么？")
    make_condition(follow, source, "equals", source.choices.first())
    url = reverse("surveys:question_remove", args=[source.pk])

    page = planner_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "为什么？" in html  # the question depending on it
    assert 'id="answer-count"' in html
    source.refresh_from_db()
    assert not source.archived  # looking changes nothing

    page = planner_client.post(url, follow=True)
    source.refresh_from_db()
    assert source.archived
    html = page.content.decode()
    assert 'id="undo-remove"' in html
    assert 'id="publish-blocked"' in html  # the follow-up now reads a removed question

    planner_client.post(reverse("surveys:question_restore", args=[source.pk]))
    source.refresh_from_db()
    assert not source.archived


def test_the_editors_queries_do_not_grow_with_its_options(planner_client):
    counts = []
    for n in (3, 60):
        question = make_question(
            make_survey(), QuestionKind.MULTIPLE, choices=[f"o{i}" for i in range(n)]
        )
        with CaptureQueriesContext(connection) as queries:
            planner_client.get(reverse("surveys:question_edit", args=[question.pk]))
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
