import re

import pytest
from django.urls import reverse

from sites.models import ServiceType
from tests.builders import make_service_type, make_site, make_site_service


@pytest.mark.django_db
def test_the_catalogue_marks_unconfirmed_numbers(planner_client, english):
    response = planner_client.get(reverse("sites:servicetype_list"))
    content = response.content.decode()
    rows = re.findall(r"<tr[^>]*>.*?</tr>", content, re.S)
    for service_type in ServiceType.objects.all():
        [row] = [r for r in rows if service_type.get_absolute_url() + '"' in r]
        assert ("badge unconfirmed" in row) is (not service_type.confirmed), service_type.code


@pytest.mark.django_db
def test_the_service_type_page_marks_unconfirmed_and_lists_sites(planner_client, english):
    canteen = make_service_type("canteen")
    assert not canteen.confirmed
    site = make_site(name="枫林长者食堂")
    make_site_service(site, canteen)
    response = planner_client.get(canteen.get_absolute_url())
    content = response.content.decode()
    assert "badge unconfirmed" in content
    assert [offer.site for offer in response.context["offers"]] == [site]
    confirmed = make_service_type("health_station")
    assert confirmed.confirmed
    assert (
        "badge unconfirmed" not in planner_client.get(confirmed.get_absolute_url()).content.decode()
    )


@pytest.mark.django_db
def test_every_number_is_editable(planner_client):
    canteen = make_service_type("canteen")
    response = planner_client.post(
        reverse("sites:servicetype_edit", args=[canteen.pk]),
        {
            "code": "ignored",
            "name_zh": canteen.name_zh,
            "name_en": canteen.name_en,
            "category": canteen.category,
            "target_group": canteen.target_group,
            "level": canteen.level,
            "threshold_basis": "distance",
            "age_band": "60+",
            "threshold_m": "400",
            "min_floor_area_m2": "150",
            "max_floor_area_m2": "300",
            "standard": "Checked in the 2024 guide",
            "standard_status": "R",
            "confirmed": "on",
            "active": "on",
            "order": "30",
        },
    )
    assert response.status_code == 302
    canteen.refresh_from_db()
    assert (canteen.code, canteen.threshold_m, canteen.confirmed) == ("canteen", 400, True)
    assert canteen.min_floor_area_m2 == 150


@pytest.mark.django_db
def test_viewers_cannot_edit_the_catalogue(viewer_client):
    canteen = make_service_type("canteen")
    assert viewer_client.get(reverse("sites:servicetype_list")).status_code == 200
    assert (
        viewer_client.get(reverse("sites:servicetype_edit", args=[canteen.pk])).status_code == 403
    )
