"""Importing boundaries from GeoJSON: a preview says what will change, which features match no
area and what is wrong; saving stores every boundary or none."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sites.models import Area
from tests.builders import make_area
from tests.sites.boundary_builders import box, feature, geojson_upload, make_street, point

pytestmark = pytest.mark.django_db

URL = "sites:boundary_import"


def _area(name: str, code: str, x: float, y: float, **kwargs) -> Area:
    lat, lng = point(x, y)
    return make_area(name=name, code=code, centroid_lat=lat, centroid_lng=lng, **kwargs)


@pytest.fixture
def areas(db):
    make_street()
    return (
        _area("West", "west", 250, 500),
        _area("East", "east", 750, 500, boundary=box(500, 0, 1000, 1000)),
    )


def test_the_preview_lists_changes_and_unmatched_features_and_saves_nothing(
    planner_client, english, areas
):
    west, east = areas
    upload = geojson_upload(
        [
            feature(box(0, 0, 500, 1000), code="west"),
            feature(box(510, 0, 1000, 1000), name="East"),  # matched by name
            feature(box(0, 0, 10, 10), code="nowhere", name="Nowhere"),
        ]
    )
    response = planner_client.post(reverse(URL), {"file": upload})
    assert response.status_code == 200
    preview = response.context["preview"]
    assert [(c.area.code, c.kind) for c in preview.changes] == [
        ("west", "new"),
        ("east", "replaced"),
    ]
    assert preview.unmatched == ["nowhere"]
    assert preview.problems == [] and preview.can_save
    page = response.content.decode()
    assert "These features match no area" in page and "Save these boundaries" in page
    west.refresh_from_db()
    assert west.boundary is None


def test_saving_the_preview_stores_every_boundary(planner_client, english, areas):
    west, east = areas
    upload = geojson_upload(
        [feature(box(0, 0, 500, 1000), code="west"), feature(box(510, 0, 1000, 1000), code="east")]
    )
    preview = planner_client.post(reverse(URL), {"file": upload}).context["preview"]
    response = planner_client.post(reverse(URL), {"payload": preview.payload(), "save": "1"})
    assert response.status_code == 302
    west.refresh_from_db()
    east.refresh_from_db()
    assert west.boundary == box(0, 0, 500, 1000)
    assert east.boundary == box(510, 0, 1000, 1000)
    assert west.history.first().history_change_reason == "Boundary imported from GeoJSON"


def test_a_multipolygon_gives_its_largest_part_and_the_preview_says_so(
    planner_client, english, areas
):
    small, large = box(0, 0, 20, 20), box(0, 100, 500, 1000)
    multi = {"type": "MultiPolygon", "coordinates": [small["coordinates"], large["coordinates"]]}
    response = planner_client.post(
        reverse(URL), {"file": geojson_upload([feature(multi, code="west")])}
    )
    [change] = response.context["preview"].changes
    assert change.boundary == large
    assert "largest part is kept" in change.note
    assert "largest part is kept" in response.content.decode()


def test_an_overlap_or_an_invalid_polygon_stops_the_save_and_nothing_is_half_saved(
    planner_client, english, areas
):
    west, east = areas
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[121.45, 31.19], [121.46, 31.20], [121.46, 31.19], [121.45, 31.20],
                         [121.45, 31.19]]],
    }  # fmt: skip
    _area("North", "north", 500, 900)
    upload = geojson_upload(
        [
            feature(box(0, 0, 600, 1000), code="west"),  # over East by 100 m x 1 km
            feature(bowtie, code="north"),
        ]
    )
    response = planner_client.post(reverse(URL), {"file": upload})
    preview = response.context["preview"]
    assert not preview.can_save
    assert any(p.startswith("North: The boundary is not a valid polygon") for p in preview.problems)
    assert any(p.startswith("West: The boundary overlaps East by") for p in preview.problems)
    assert "Save these boundaries" not in response.content.decode()
    # A forged save of the same file is checked again and refused.
    forged = json.dumps(
        {"type": "FeatureCollection", "features": [feature(box(0, 0, 600, 1000), code="west")]}
    )
    response = planner_client.post(reverse(URL), {"payload": forged, "save": "1"})
    assert response.status_code == 200
    assert Area.objects.get(pk=west.pk).boundary is None
    assert Area.objects.get(pk=east.pk).boundary == box(500, 0, 1000, 1000)


def test_a_boundary_outside_the_street_is_reported(planner_client, english, areas):
    upload = geojson_upload([feature(box(0, 0, 500, 1300), code="west")])
    preview = planner_client.post(reverse(URL), {"file": upload}).context["preview"]
    [problem] = preview.problems
    assert problem.startswith("West: The boundary reaches 300 m outside the street's outline")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe not text", "The file is not UTF-8 text"),
        (b"{not json", "This is not valid JSON"),
        (b'{"type": "Polygon", "coordinates": []}', "must be a GeoJSON FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": []}', "has no features"),
        (b"[" * 100 + b"]" * 100, "nested more than"),
    ],
    ids=["binary", "not json", "not a collection", "empty", "deep"],
)
def test_a_bad_file_gets_one_clear_message_beside_the_field(
    planner_client, english, areas, content, message
):
    upload = SimpleUploadedFile("boundaries.geojson", content)
    response = planner_client.post(reverse(URL), {"file": upload})
    assert response.status_code == 200
    [error] = response.context["form"].errors["file"]
    assert message in error
    assert "preview" not in response.context


def test_no_file_is_asked_for(planner_client, english, areas):
    response = planner_client.post(reverse(URL), {})
    assert response.context["form"].errors["file"] == ["Choose a GeoJSON file."]


def test_the_import_needs_the_permission_to_change_areas(viewer_client, areas):
    assert viewer_client.get(reverse(URL)).status_code == 403
