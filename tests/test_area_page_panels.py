import pytest
from django.urls import reverse

from surveys.models import FieldVisit
from tests.builders import make_area


@pytest.mark.django_db
def test_the_area_page_shows_its_field_visits(planner_client, english):
    area = make_area(name="Visited area")
    visit = FieldVisit.objects.create(
        date="2026-11-02", area=area, residents_count=12, notes="Residents asked for a canteen"
    )
    response = planner_client.get(reverse("sites:area_detail", args=[area.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="area-survey-panel"' in body
    assert visit.get_absolute_url() in body
