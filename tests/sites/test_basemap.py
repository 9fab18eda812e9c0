"""The app's own base map (/map/base.json): the loaded streets and the named boundaries, for
maps that no tile server reaches."""

import pytest
from django.urls import reverse

from tests.builders import make_area, make_walking_network

# A street of three segments in a row and a side street off its middle.
MAIN = [(121.450, 31.190), (121.451, 31.190), (121.452, 31.190), (121.453, 31.190)]
SIDE = [(121.451, 31.190), (121.451, 31.191)]
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [
            [121.449, 31.189],
            [121.454, 31.189],
            [121.454, 31.192],
            [121.449, 31.192],
            [121.449, 31.189],
        ]
    ],
}

pytestmark = pytest.mark.django_db


def _get(client, **headers):
    return client.get(reverse("map_base"), headers=headers)


def _kind(data, kind):
    return [f for f in data["features"] if f["properties"]["kind"] == kind]


def test_streets_merged_into_chains_and_named_boundaries(english):
    make_walking_network([MAIN, SIDE], name="Fenglin streets", illustrative=True)
    make_area(name="Zhaojiabang", boundary=SQUARE)
    make_area(name="Tianlin", centroid_lat="31.191000", centroid_lng="121.452000")

    data = _get(english).json()

    (streets,) = _kind(data, "streets")
    chains = streets["geometry"]["coordinates"]
    # Four stored segments; the two east of the junction with the side street make one chain.
    assert sorted(len(chain) for chain in chains) == [2, 2, 3]
    ends = {tuple(p) for chain in chains for p in (chain[0], chain[-1])}
    assert {MAIN[0], MAIN[-1], SIDE[-1]} <= ends
    assert all(round(v, 6) == v for chain in chains for p in chain for v in p)
    (area,) = _kind(data, "area")
    assert area["properties"]["name"] == "Zhaojiabang"
    assert area["geometry"] == SQUARE
    (centre,) = _kind(data, "centre")
    assert centre["properties"]["name"] == "Tianlin"
    assert centre["geometry"]["coordinates"] == [121.452, 31.191]
    assert data["on_network"] is True and data["illustrative"] is True
    assert "Fenglin streets" in data["model"] and "illustrative" in data["model"]
    assert data["labels"]["layer"] == "Streets and boundaries"
    assert data["model"] in data["labels"]["legend"]


def test_without_a_network_the_layer_says_walks_are_the_straight_line(english):
    make_area(name="Zhaojiabang", boundary=SQUARE, illustrative=True)
    data = _get(english).json()
    assert _kind(data, "streets") == []
    assert data["on_network"] is False
    assert "straight line × 1.3" in data["labels"]["legend"]
    assert "boundaries illustrative" in data["labels"]["legend"]


def test_the_words_follow_the_chosen_language(client, english):
    response = _get(english)
    assert response["Content-Language"] == "en"
    assert "Cookie" in response["Vary"]  # the language is chosen by cookie
    client.cookies.clear()
    chinese = _get(client, if_none_match=response["ETag"])
    assert chinese.status_code == 200  # another language, another document
    assert chinese["Content-Language"] == "zh-hans"


def test_two_queries_once_cached_and_the_browser_revalidates_with_its_etag(
    client, django_assert_max_num_queries, django_assert_num_queries
):
    make_walking_network([MAIN, SIDE])
    make_area(boundary=SQUARE)
    with django_assert_max_num_queries(3):  # the lines are read once, then cached
        first = _get(client)
    assert first.status_code == 200
    assert "max-age=300" in first["Cache-Control"]
    with django_assert_num_queries(2):  # the active model and the areas
        again = _get(client, if_none_match=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


def test_an_edited_area_or_a_new_network_changes_the_etag(client):
    area = make_area(name="Before", boundary=SQUARE)
    first = _get(client)
    area.name = "After"
    area.save()
    renamed = _get(client, if_none_match=first["ETag"])
    assert renamed.status_code == 200
    assert [f["properties"]["name"] for f in _kind(renamed.json(), "area")] == ["After"]
    make_walking_network([SIDE])
    rerouted = _get(client, if_none_match=renamed["ETag"])
    assert rerouted.status_code == 200
    assert len(_kind(rerouted.json(), "streets")) == 1


def test_public_and_read_only(client):
    assert _get(client).status_code == 200
    assert client.post(reverse("map_base")).status_code == 405


def test_sent_compressed_to_browsers_that_accept_it(client):
    make_walking_network([MAIN, SIDE])
    response = _get(client, accept_encoding="gzip")
    assert response["Content-Encoding"] == "gzip"
    again = _get(client, accept_encoding="gzip", if_none_match=response["ETag"])
    assert again.status_code == 304
