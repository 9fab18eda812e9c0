"""The inspection form's "Add another finding" (static/js/findings.js) adds rows as needed: an
inspection saved with three findings, each with its own photo."""

from datetime import timedelta

import pytest

from fenglin import roles
from sites.safety.models import Inspection
from sites.safety.schedules import shanghai_today
from tests.browser.helpers import BROWSER_DB
from tests.builders import image_bytes, make_site, make_user


@pytest.mark.browser
@BROWSER_DB
def test_add_another_finding_adds_rows_each_with_its_photo(
    page, live_server, login_as, english, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    site = make_site(name="Tianlong")
    login_as(make_user("form-inspector", roles.INSPECTORS))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/sites/safety/sites/{site.pk}/inspect/")

    page.locator("#id_kind").select_option("fire")
    page.locator("#id_mode").select_option("self")
    page.locator("#id_result").select_option("rectify")
    page.locator("#id_inspectors").fill("Wang")
    deadline = (shanghai_today() + timedelta(days=10)).isoformat()
    for i in range(3):
        if i:
            page.get_by_role("button", name="Add another finding", exact=True).click()
        page.locator(f"#id_findings-{i}-description").fill(f"Problem {i}")
        page.locator(f"#id_findings-{i}-rectify_by").fill(deadline)
        page.locator(f"#id_findings-{i}-photos").set_input_files(
            files=[{"name": f"p{i}.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}]
        )
    page.get_by_role("button", name="Record the inspection", exact=True).click()
    page.wait_for_url("**/inspections/*/")

    inspection = Inspection.objects.get()
    findings = list(inspection.findings.order_by("pk"))
    assert [f.description for f in findings] == ["Problem 0", "Problem 1", "Problem 2"]
    assert [f.photos.count() for f in findings] == [1, 1, 1]
    assert errors == []
