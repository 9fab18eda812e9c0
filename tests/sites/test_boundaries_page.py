"""The Boundaries page: per area whether it has a boundary, lies inside the street's outline
and overlaps others (named, with the overlap in m²), and how much of the street no area covers;
and the area form refusing a boundary outside the outline or over a neighbour."""

import re

import pytest
from django.urls import reverse

from sites.models import Area
from tests.builders import make_area
from tests.sites.boundary_builders import box, make_street, point

pytestmark = pytest.mark.django_db


def figure(pattern: str, text: str) -> float:
    """The number a pattern's group finds in the text (thousands separated by commas)."""
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not found"
    return float(match.group(1).replace(",", ""))


def test_the_report_names_overlapping_areas_and_the_overlap(planner_client, english):
    make_street()
    make_area(name="West", boundary=box(0, 0, 520, 1000))
    make_area(name="East", boundary=box(500, 0, 1000, 1000))  # shares 20 m x 1 km
    make_area(name="Beyond", boundary=box(0, 900, 500, 1200))  # 200 m out, over West
    make_area(name="Nowhere")

    page = planner_client.get(reverse("sites:boundary_report")).content.decode()

    rows = {row.split("</td>")[0]: row for row in page.split('<tr>\n          <td><a href="')[1:]}
    west = next(row for key, row in rows.items() if ">West<" in key)
    # Measured on the street's own projection: within a fraction of a percent of the builder's.
    assert figure(r"East: ([\d,]+) m²", west) == pytest.approx(20_000, rel=0.005)
    assert figure(r"Beyond: ([\d,]+) m²", west) == pytest.approx(50_000, rel=0.005)
    beyond = next(row for key, row in rows.items() if ">Beyond<" in key)
    assert figure(r"reaches ([\d,]+) m outside", beyond) == pytest.approx(200, abs=1)
    nowhere = next(row for key, row in rows.items() if ">Nowhere<" in key)
    assert "none" in nowhere
    assert "3 of 4 areas have a boundary." in page
    assert "2 overlaps beyond the tolerance." in page
    # West and East cover all of the square: no gap.
    assert "Gaps: 0.0% of the street" in page


def test_the_report_gives_the_share_of_the_street_no_area_covers(planner_client, english):
    make_street()
    make_area(name="Half", boundary=box(0, 0, 1000, 500))
    page = planner_client.get(reverse("sites:boundary_report")).content.decode()
    assert "Gaps: 50.0% of the street" in page
    assert "0 overlaps" in page


def test_without_an_outline_the_page_says_so(planner_client, english):
    make_area(name="Half", boundary=box(0, 0, 1000, 500))
    page = planner_client.get(reverse("sites:boundary_report")).content.decode()
    assert "No street outline is recorded" in page


def test_the_report_needs_the_permission_to_view_areas(client, viewer):
    assert client.get(reverse("sites:boundary_report")).status_code == 302


def _edit(client, area, boundary_text):
    from sites.forms import AreaForm

    form = AreaForm(instance=area)
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(boundary=boundary_text, loaded_version=area.version)
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    return client.post(reverse("sites:area_edit", args=[area.pk]), data)


def test_the_area_form_refuses_a_boundary_over_a_neighbour_naming_it(planner_client, english):
    import json

    make_street()
    make_area(name="Neighbour", boundary=box(500, 0, 1000, 1000))
    lat, lng = point(250, 500)
    area = make_area(name="Mine", centroid_lat=lat, centroid_lng=lng)
    response = _edit(planner_client, area, json.dumps(box(0, 0, 600, 1000)))
    assert response.status_code == 200
    errors = response.context["form"].errors["boundary"]
    assert len(errors) == 1
    assert errors[0].startswith("The boundary overlaps Neighbour by ")
    assert figure(r"by ([\d,]+) m²", errors[0]) == pytest.approx(100_000, rel=0.005)
    assert "(20% of the smaller area; up to 1% and 200 m² is allowed)" in errors[0]
    area.refresh_from_db()
    assert area.boundary is None


def test_the_area_form_refuses_a_boundary_outside_the_outline(planner_client, english):
    import json

    make_street()
    lat, lng = point(250, 500)
    area = make_area(name="Mine", centroid_lat=lat, centroid_lng=lng)
    response = _edit(planner_client, area, json.dumps(box(0, 0, 500, 1050)))
    [error] = response.context["form"].errors["boundary"]
    assert figure(r"reaches ([\d,]+) m outside the street's outline", error) == pytest.approx(
        50, abs=1
    )
    # Within 10 m: saved.
    response = _edit(planner_client, area, json.dumps(box(0, 0, 500, 1005)))
    assert response.status_code == 302
    assert Area.objects.get(pk=area.pk).boundary == box(0, 0, 500, 1005)
