import copy
from decimal import Decimal

import pytest
from django.urls import reverse

from sites import views
from sites.models import Area, ServiceStatus, ServiceType, SiteStatus
from tests.builders import make_area, make_service_type, make_site, make_site_service


@pytest.mark.django_db
def test_area_list_shows_population_and_site_counts(planner_client, two_areas):
    north, _south = two_areas
    make_site(area=north, status=SiteStatus.OPERATING)
    make_site(area=north, status=SiteStatus.CANDIDATE)
    response = planner_client.get(reverse("sites:area_list"))
    rows = {area.code: area for area in response.context["areas"]}
    assert (rows["north"].site_count, rows["north"].operating_count) == (2, 1)
    assert (rows["south"].site_count, rows["south"].operating_count) == (0, 0)
    assert response.context["totals"]["population"] == 2 * north.population_total


@pytest.mark.django_db
def test_area_page_shows_its_sites_and_services_present_and_missing(planner_client):
    area = make_area(centroid_lat=Decimal("31.193000"), centroid_lng=Decimal("121.455000"))
    elsewhere = make_area(centroid_lat=Decimal("31.200000"))
    canteen, nursery = make_service_type("canteen"), make_service_type("nursery")
    health = make_service_type("health_station")
    here = make_site(area=area, status=SiteStatus.OPERATING)
    make_site_service(here, canteen)
    planned = make_site(area=area, status=SiteStatus.CANDIDATE)
    make_site_service(planned, nursery, status=ServiceStatus.PLANNED)
    # A health station 0.002 degrees (about 220 m) north, in the neighbouring area.
    near = make_site(area=elsewhere, latitude=Decimal("31.195000"))
    make_site_service(near, health)

    response = planner_client.get(area.get_absolute_url())
    assert response.status_code == 200
    assert {s.pk for s in response.context["sites"]} == {here.pk, planned.pk}
    present = {line.service_type.code for line in response.context["present"]}
    missing = {line.service_type.code: line for line in response.context["missing"]}
    assert present == {"canteen"}
    assert "nursery" in missing  # planned only: not present yet
    assert missing["nursery"].nearest is None
    assert missing["health_station"].nearest == near
    # Measured on foot like the gap matrix: 222 m in a straight line × 1.3, within 300 m.
    assert 280 < missing["health_station"].nearest_m < 300
    assert missing["health_station"].nearest_within_threshold
    expected = set(ServiceType.objects.with_standard().values_list("code", flat=True))
    assert present | set(missing) == expected


@pytest.mark.django_db
def test_the_area_page_leaves_room_for_other_apps_panels(planner_client, settings, tmp_path):
    (tmp_path / "panel.html").write_text("<section id='visits'>{{ panel.count }} visits</section>")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    area = make_area()

    def visits(request, area):
        return {"template": "panel.html", "count": 3}

    views.register_area_panel(visits)
    try:
        content = planner_client.get(area.get_absolute_url()).content.decode()
    finally:
        views.AREA_PANELS.remove(visits)
    assert "<section id='visits'>3 visits</section>" in content


@pytest.mark.django_db
def test_committee_staff_see_only_their_area(committee_client, two_areas):
    north, south = two_areas
    response = committee_client.get(reverse("sites:area_list"))
    assert [a.pk for a in response.context["areas"]] == [north.pk]
    assert committee_client.get(north.get_absolute_url()).status_code == 200
    assert committee_client.get(south.get_absolute_url()).status_code == 404
    assert committee_client.get(reverse("sites:area_create")).status_code == 403


@pytest.mark.django_db
def test_planners_create_and_edit_areas_with_the_point_picker(planner_client):
    page = planner_client.get(reverse("sites:area_create")).content.decode()
    assert 'id="id_point_map"' in page and 'data-lat-name="centroid_lat"' in page
    data = {
        "name": "东安一村",
        "code": "dongan-1",
        "centroid_lat": "31.193500",
        "centroid_lng": "121.457500",
        "population_total": "5000",
        "population_elderly": "1800",
    }
    response = planner_client.post(reverse("sites:area_create"), data)
    area = Area.objects.get(code="dongan-1")
    assert response["Location"] == area.get_absolute_url()
    data["population_elderly"] = "6000"
    response = planner_client.post(reverse("sites:area_edit", args=[area.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    area.refresh_from_db()
    assert area.population_elderly == 1800


@pytest.mark.django_db
def test_a_self_intersecting_boundary_is_an_error_next_to_the_field(planner_client, english):
    data = {
        "name": "A",
        "code": "a",
        "centroid_lat": "31.193000",
        "centroid_lng": "121.455000",
        "boundary": '{"type": "Polygon", "coordinates": [[[121.45, 31.19], [121.46, 31.196],'
        " [121.46, 31.19], [121.45, 31.196], [121.45, 31.19]]]}",
    }
    response = planner_client.post(reverse("sites:area_create"), data)
    assert response.status_code == 200
    assert "Self-intersection" in response.context["form"].errors["boundary"][0]
    assert not Area.objects.exists()
