"""The catalogue shows where each number comes from, in metres and in minutes (issues #17, #18)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from sites.models import LifeCircleLevel, ServiceType
from tests.builders import make_service_type


def _number(content: str, number: str) -> str:
    [cell] = re.findall(rf'<dd id="number-{number}">(.*?)</dd>', content, re.S)
    return cell


@pytest.mark.django_db
def test_each_number_shows_its_source_clause_and_status(planner_client, english):
    day_care = make_service_type("elderly_day_care")
    content = planner_client.get(day_care.get_absolute_url()).content.decode()
    for number in ("threshold_m", "min_floor_area_m2", "max_floor_area_m2", "per_thousand"):
        entry = day_care.source_for("per_thousand_m2" if number == "per_thousand" else number)
        cell = _number(content, number)
        assert entry.source in cell and entry.clause in cell, number
        assert entry.status_label in cell, number
    assert "Read in the official text" in _number(content, "min_floor_area_m2")
    assert "Not confirmed" in _number(content, "threshold_m")


@pytest.mark.django_db
def test_the_list_shows_the_source_beside_the_threshold(planner_client, english):
    content = planner_client.get(reverse("sites:servicetype_list")).content.decode()
    nursery = ServiceType.objects.get(code="nursery")
    [row] = [r for r in re.findall(r"<tr[^>]*>.*?</tr>", content, re.S) if "nursery<" in r]
    assert nursery.source_for("threshold_m").clause in row


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["nursery", "service_station"])
def test_nursery_and_service_station_radii_are_unconfirmed_with_what_to_check(
    planner_client, english, code
):
    service_type = ServiceType.objects.get(code=code)
    entry = service_type.source_for("threshold_m")
    assert not service_type.confirmed
    assert entry.status == "U"
    assert "Appendix B" in entry.note and "300 m" in entry.note
    assert "GB 50180-2018" in entry.source and "附录B" in entry.clause
    cell = _number(
        planner_client.get(service_type.get_absolute_url()).content.decode(), "threshold_m"
    )
    assert "Not confirmed" in cell and "Check the appendix" in cell


def test_level_labels_name_the_distance_the_app_measures():
    translation.activate("en")
    labels = dict(LifeCircleLevel.choices)
    assert "300 m" in str(labels["5min"])
    assert "500 m" in str(labels["10min"])
    assert "1,000 m" in str(labels["15min"])


@pytest.mark.django_db
def test_thresholds_agree_with_their_level_labels_or_say_what_to_check():
    translation.activate("en")  # the labels' English wording: "5-minute life circle (300 m)"
    for service_type in ServiceType.objects.filter(level__in=["5min", "10min"]):
        label = str(service_type.get_level_display())
        if f"{service_type.threshold_m} m" not in label:
            entry = service_type.source_for("threshold_m")
            assert entry.status == "U" and "300 m" in entry.note, service_type.code


@pytest.mark.django_db
def test_the_threshold_is_shown_in_minutes_at_both_speeds(planner_client, english):
    canteen = make_service_type("canteen")
    cell = _number(planner_client.get(canteen.get_absolute_url()).content.decode(), "threshold_m")
    assert "300 m" in cell
    assert "4.3 min at 70 m/min" in cell
    assert "6.0 min at 50 m/min" in cell
    assert "distance in metres" in cell


@pytest.mark.django_db
def test_a_service_without_a_minimum_says_so(planner_client, english):
    canteen = make_service_type("canteen")
    cell = _number(
        planner_client.get(canteen.get_absolute_url()).content.decode(), "min_floor_area_m2"
    )
    assert "no minimum in the standard" in cell


@pytest.mark.django_db
def test_malformed_sources_get_a_message_beside_the_field(planner_client, english):
    canteen = make_service_type("canteen")
    url = reverse("sites:servicetype_edit", args=[canteen.pk])
    form = planner_client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        allowed_premises=["shopfront"],
        sources='{"threshold_m": {"status": "maybe"}}',
        confirmed="",
        active="on",
    )
    response = planner_client.post(url, data)
    assert response.status_code == 200
    assert "A status is one of R, R2, U or story." in str(
        response.context["form"].errors["sources"]
    )
    canteen.refresh_from_db()
    assert canteen.allowed_premises != ["shopfront"]
