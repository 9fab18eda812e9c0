import pytest
from django.urls import reverse

from tests import factories


@pytest.mark.django_db
def test_pages(planner_client):
    a = factories.area()
    s = factories.site(area=a)
    factories.site_service(s, factories.service_type("canteen"), floor_area_m2=100)
    for url in [
        reverse("sites:site_list"),
        reverse("sites:site_detail", args=[s.pk]),
        reverse("sites:site_create"),
        reverse("sites:site_edit", args=[s.pk]),
        reverse("sites:site_status", args=[s.pk]),
        reverse("sites:area_list"),
        reverse("sites:area_detail", args=[a.pk]),
        reverse("sites:servicetype_list"),
        reverse("sites:servicetype_detail", args=[factories.service_type("canteen").pk]),
        reverse("sites:site_import"),
        reverse("sites:site_export", args=["csv"]),
        reverse("sites:site_export", args=["xlsx"]),
        reverse("sites:site_export", args=["geojson"]),
    ]:
        r = planner_client.get(url)
        assert r.status_code == 200, url
        if "html" in r["Content-Type"]:
            open("/tmp/smoke/" + url.strip("/").replace("/", "_") + ".html", "wb").write(r.content)
