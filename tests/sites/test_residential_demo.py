"""The demo's housing estates: in their areas, adding up to the areas' figures, illustrative,
loaded twice without a change."""

import io

import pytest
from django.db.models import Sum

from sites import demo
from sites.models import Area, ResidentialPoint
from sites.selectors import area_for_point

GROUPS = ["population_total", "population_elderly", "population_children_0_6",
          "population_disabled"]  # fmt: skip


@pytest.mark.django_db
def test_demo_estates_add_up_to_their_areas_and_load_twice_alike():
    demo.load(stdout=io.StringIO())
    points = list(ResidentialPoint.objects.select_related("area"))
    assert 60 <= len(points) <= 80
    assert all(p.illustrative and p.name and p.name_en for p in points)
    areas = list(Area.objects.all())
    assert all(area_for_point(p.latitude, p.longitude, areas) == p.area for p in points)
    sums = ResidentialPoint.objects.values("area").annotate(**{g: Sum(g) for g in GROUPS})
    by_area = {row["area"]: row for row in sums}
    for area in areas:
        assert 2 <= area.residential_points.count() <= 4
        assert [by_area[area.pk][g] for g in GROUPS] == [getattr(area, g) for g in GROUPS]
    # Some estate holds a larger share of its area's elderly than of its residents.
    assert any(
        p.population_elderly / p.area.population_elderly
        > p.population_total / p.area.population_total * 1.1
        for p in points
    )
    before = list(ResidentialPoint.objects.order_by("code").values())
    output = io.StringIO()
    demo.load(stdout=output)
    assert list(ResidentialPoint.objects.order_by("code").values()) == before
    assert "(0 saved)" in output.getvalue()
