"""The resident's form at /s/<slug>/: validation per question kind, idempotency, closed
surveys, honeypot, rate limits, hashed addresses and one response per device."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import Answer, Channel, Response, SurveyStatus
from surveys.ratelimit import salted_hash
from tests.builders import choice_ids, make_full_survey, make_question, make_survey, valid_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(areas):
    survey, qs = make_full_survey()
    return survey, qs, areas


def url(survey):
    return reverse("public_surveys:survey_form", args=[survey.slug])


def test_form_renders_every_question_with_label_and_fieldsets(client, setup):
    survey, qs, _areas = setup
    page = client.get(url(survey))
    assert page.status_code == 200
    html = page.content.decode()
    for key in ("single", "multiple", "rating", "household", "point"):
        assert f'id="question-{qs[key].pk}"' in html
    assert html.count("<fieldset") >= 5
    assert html.count("<legend>") >= 5
    for key in ("area", "number", "text"):
        assert f'<label for="id_{qs[key].field_name}"' in html
    assert 'name="idempotency_key"' in html
    assert 'name="website"' in html  # the honeypot
    assert f'id="id_{qs["single"].field_name}_0"' in html


def test_valid_submission_stores_one_response_with_its_answers(client, setup):
    survey, qs, areas = setup
    data = valid_post(qs, areas[0])
    page = client.post(url(survey), data)
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("public_surveys:survey_thanks", args=[survey.slug]))
    response = Response.objects.get()
    assert response.channel == Channel.ONLINE
    assert response.area == areas[0]
    assert response.has_elderly and not response.has_children
    multiple = response.answers.filter(question=qs["multiple"])
    assert sorted(multiple.values_list("position", flat=True)) == [0, 1]
    # Respondent groups are copied onto each answer for one-table aggregation.
    assert set(response.answers.values_list("has_elderly", "has_children")) == {(True, False)}
    assert response.answers.get(question=qs["rating"]).number == 4
    assert response.answers.get(question=qs["text"]).text == "more benches"
    assert client.get(page["Location"]).status_code == 200


BAD_INPUT = [
    ("single", None, "Please answer this question."),
    ("single", "999999", "Choose one of the options."),
    ("multiple", [], "Please answer this question."),
    ("multiple", "many", "Choose one of the options."),
    ("multiple", "first-three", "Choose at most 2 options."),
    ("rating", "6", "Choose one of the options."),
    ("rating", None, "Please answer this question."),
    ("number", "11", "Enter 10 or less."),
    ("number", "-1", "Enter 0 or more."),
    ("number", "abc", "Enter a whole number, such as 3."),
    ("number", None, "Please answer this question."),
    ("text", "x" * 21, "at most 20 characters"),
    ("area", None, "Please answer this question."),
    ("area", "424242", "Choose a neighbourhood from the list."),
    ("point_lat", "31.1", "This point is outside Fenglin street."),
    ("point_lat_only", "31.19", "Give both latitude and longitude, or neither."),
]


@pytest.mark.parametrize(("key", "value", "message"), BAD_INPUT)
def test_bad_input_gets_a_message_next_to_the_field_and_nothing_is_saved(
    english, setup, key, value, message
):
    survey, qs, areas = setup
    data = valid_post(qs, areas[0])
    if key == "multiple" and value == "first-three":
        value = [str(c) for c in choice_ids(qs["multiple"])[:3]]
    if key.startswith("point"):
        name = qs["point"].field_name
        data[f"{name}_lat"] = value
        if key == "point_lat":
            data[f"{name}_lng"] = "121.45"
        field_id = f"id_{name}"
    else:
        name = qs[key].field_name
        data.pop(name)
        if value is not None:
            data[name] = value
        field_id = f"id_{name}"
    page = english.post(url(survey), data)
    assert page.status_code == 200
    html = page.content.decode()
    assert message in html
    # The message sits in the question's own error list, tied to its field.
    errors_at = html.index(f'id="{field_id}_error"')
    assert message in html[errors_at : html.index("</ul>", errors_at)]
    assert Response.objects.count() == 0
    assert Answer.objects.count() == 0


def test_answers_already_given_are_kept_after_an_error(english, setup):
    survey, qs, areas = setup
    data = valid_post(qs, areas[1], **{qs["number"].field_name: "99"})
    html = english.post(url(survey), data).content.decode()
    single_choice = choice_ids(qs["single"])[1]
    assert f'value="{single_choice}"' in html
    assert "more benches" in html
    assert f'value="{areas[1].pk}" selected' in html
    assert f'value="{data["idempotency_key"]}"' in html  # the retry keeps its key


def test_same_idempotency_key_twice_gives_one_response_and_the_same_thanks(client, setup):
    survey, qs, areas = setup
    data = valid_post(qs, areas[0])
    first = client.post(url(survey), data)
    second = client.post(url(survey), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Response.objects.count() == 1
    assert Answer.objects.filter(question=qs["multiple"]).count() == 2


def test_a_new_key_is_a_new_response(client, setup):
    survey, qs, areas = setup
    client.post(url(survey), valid_post(qs, areas[0]))
    client.post(url(survey), valid_post(qs, areas[0]))
    assert Response.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "marker"),
    [
        ({"status": SurveyStatus.CLOSED}, "survey-closed"),
        ({"opens_at": timezone.now() + timedelta(days=1)}, "survey-not-open"),
        ({"closes_at": timezone.now() - timedelta(minutes=1)}, "survey-closed"),
    ],
)
def test_closed_or_not_yet_open_survey_says_so_and_stores_nothing(client, setup, changes, marker):
    survey, qs, areas = setup
    for name, value in changes.items():
        setattr(survey, name, value)
    if "closes_at" in changes:
        survey.opens_at = timezone.now() - timedelta(days=2)
    survey.save()
    assert marker in client.get(url(survey)).content.decode()
    page = client.post(url(survey), valid_post(qs, areas[0]))
    assert marker in page.content.decode()
    assert Response.objects.count() == 0


def test_unknown_survey_is_404(client, db):
    assert client.get("/s/no-such-survey/").status_code == 404


def test_filled_honeypot_is_thanked_and_nothing_stored(client, setup):
    survey, qs, areas = setup
    data = valid_post(qs, areas[0], website="http://spam.example")
    page = client.post(url(survey), data)
    assert page.status_code == 302
    assert page["Location"].endswith("/thanks/")
    assert Response.objects.count() == 0


def test_client_address_is_stored_only_as_a_salted_hash(client, setup, settings):
    survey, qs, areas = setup
    settings.ADDRESS_HASH_SALT = "pepper"
    client.post(url(survey), valid_post(qs, areas[0]), REMOTE_ADDR="203.0.113.7")
    response = Response.objects.get()
    assert "203.0.113.7" not in response.client_hash
    assert response.client_hash == salted_hash("203.0.113.7", "address")
    assert len(response.client_hash) == 64


def test_rate_limit_per_address_gives_a_friendly_page(english, setup, settings):
    survey, qs, areas = setup
    settings.SURVEY_RATE_LIMITS = {"per_address": (2, 600), "per_survey": (100, 3600)}
    for _ in range(2):
        page = english.post(url(survey), valid_post(qs, areas[0]))
        assert page.status_code == 302
    page = english.post(url(survey), valid_post(qs, areas[0]))
    assert page.status_code == 429
    assert "survey-rate-limited" in page.content.decode()
    assert int(page["Retry-After"]) > 0
    assert Response.objects.count() == 2
    # Another address is still welcome.
    other = english.post(url(survey), valid_post(qs, areas[0]), REMOTE_ADDR="198.51.100.2")
    assert other.status_code == 302


def test_rate_limit_per_survey(client, setup, settings):
    survey, qs, areas = setup
    settings.SURVEY_RATE_LIMITS = {"per_address": (100, 600), "per_survey": (3, 3600)}
    codes = [
        client.post(
            url(survey), valid_post(qs, areas[0]), REMOTE_ADDR=f"198.51.100.{i}"
        ).status_code
        for i in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]
    assert Response.objects.count() == 3


def test_one_response_per_device(client, setup):
    survey, qs, areas = setup
    survey.one_response_per_device = True
    survey.save()
    first = valid_post(qs, areas[0])
    assert client.post(url(survey), first).status_code == 302
    assert "fenglin_device" in client.cookies
    # The same submission again (a retry) is still the same thank-you page.
    assert client.post(url(survey), first).status_code == 302
    # A new questionnaire from the same device is refused, plainly.
    page = client.post(url(survey), valid_post(qs, areas[0]))
    assert "survey-already-answered" in page.content.decode()
    assert "survey-already-answered" in client.get(url(survey)).content.decode()
    assert Response.objects.count() == 1
    stored = Response.objects.get()
    assert stored.device_hash and client.cookies["fenglin_device"].value not in stored.device_hash


def test_devices_are_not_tracked_without_the_setting(client, setup):
    survey, qs, areas = setup
    client.post(url(survey), valid_post(qs, areas[0]))
    client.post(url(survey), valid_post(qs, areas[0]))
    assert Response.objects.count() == 2
    assert "fenglin_device" not in client.cookies
    assert set(Response.objects.values_list("device_hash", flat=True)) == {""}


@pytest.mark.parametrize(
    ("lat", "lng", "expected"),
    [
        ("31.185000", "121.445000", 1),  # inside West's boundary
        # Outside every boundary, about 60 m from the centre of East, which has none: the
        # centre stands in, as for a new site there.
        ("31.193500", "121.455500", 0),
    ],
)
def test_a_pin_sets_the_area_when_none_was_chosen(client, areas, lat, lng, expected):
    survey = make_survey()
    point = make_question(survey, "point", required=True)
    data = {
        "idempotency_key": str(uuid.uuid4()),
        f"{point.field_name}_lat": lat,
        f"{point.field_name}_lng": lng,
    }
    assert client.post(url(survey), data).status_code == 302
    response = Response.objects.get()
    assert response.area == areas[expected]
    assert str(response.latitude) == lat


def test_required_point_accepts_the_area_list_as_the_text_alternative(english, areas):
    survey = make_survey()
    point = make_question(survey, "point", required=True)
    key = str(uuid.uuid4())
    page = english.post(url(survey), {"idempotency_key": key})
    assert "Drop a pin on the map or choose your neighbourhood" in page.content.decode()
    assert Response.objects.count() == 0
    data = {"idempotency_key": key, f"{point.field_name}_area": str(areas[0].pk)}
    assert english.post(url(survey), data).status_code == 302
    response = Response.objects.get()
    assert response.area == areas[0] and response.latitude is None


def test_archived_questions_and_choices_are_not_asked(client, setup):
    survey, qs, areas = setup
    qs["text"].archived = True
    qs["text"].save()
    archived_choice = qs["single"].choices.first()
    archived_choice.archived = True
    archived_choice.save()
    html = client.get(url(survey)).content.decode()
    assert f'id="question-{qs["text"].pk}"' not in html
    assert f'name="{qs["single"].field_name}" value="{archived_choice.pk}"' not in html
    data = valid_post(qs, areas[0], **{qs["single"].field_name: str(archived_choice.pk)})
    client.post(url(survey), data)
    assert Response.objects.count() == 0


def test_repeated_choice_values_count_once(client, setup):
    survey, qs, areas = setup
    first = str(choice_ids(qs["multiple"])[0])
    data = valid_post(qs, areas[0], **{qs["multiple"].field_name: [first, first]})
    assert client.post(url(survey), data).status_code == 302
    assert Answer.objects.filter(question=qs["multiple"]).count() == 1
