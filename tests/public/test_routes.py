import pytest
from django.urls import reverse

from tests.public.builders import route


def test_route_urls():
    assert reverse("public_route_list") == "/routes/"
    assert reverse("public_route_detail", args=["jingpin"]) == "/routes/jingpin/"


@pytest.mark.django_db
def test_the_list_shows_published_routes_only_with_length_and_time(english):
    route(slug="open-walk", name_en="Open walk", legs_m=(400, 500))
    route(slug="draft-walk", name_en="Draft walk", published=False)

    body = english.get("/routes/").content.decode()

    assert "Open walk" in body
    assert "Draft walk" not in body
    # 900 m straight, 1,170 m walked at 70 m/min.
    assert "3 stops · 1.2 km · about 17 minutes" in body


@pytest.mark.django_db
def test_the_route_page_shows_stops_in_order_and_the_route_line_data(english):
    route(slug="walk", name_en="River walk", legs_m=(400, 500))

    response = english.get("/routes/walk/")
    body = response.content.decode()

    assert response.status_code == 200
    assert "River walk" in body
    assert body.index("Stop 1") < body.index("Stop 2") < body.index("Stop 3")
    assert "520 m from the previous stop" in body
    assert "650 m from the previous stop" in body
    assert "about 17 minutes" in body
    assert 'id="route-map"' in body
    assert 'id="route-stops"' in body


@pytest.mark.django_db
def test_unpublished_and_unknown_routes_are_not_found(client):
    route(slug="draft", published=False)
    assert client.get("/routes/draft/").status_code == 404
    assert client.get("/routes/nothing-here/").status_code == 404


@pytest.mark.django_db
def test_the_route_list_query_count_does_not_grow_with_routes(
    client, django_assert_max_num_queries
):
    route(slug="first")
    with django_assert_max_num_queries(5) as few:
        client.get("/routes/")
    for i in range(10):
        route(slug=f"walk-{i}", legs_m=(100, 100, 100))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/routes/")
