"""The admin's site change page has no critical accessibility violation: every field of the
site-services inline is labelled, the service select included."""

import pytest

from tests.browser.helpers import BROWSER_DB, describe_violations
from tests.builders import make_service_type, make_site, make_site_service, make_user


@pytest.mark.browser
@BROWSER_DB
def test_the_site_change_page_with_its_services_inline_passes_axe(
    page, live_server, login_as, axe, english
):
    site = make_site(name="Inline labels")
    make_site_service(site, make_service_type("canteen"), daily_capacity=100)
    make_site_service(site, make_service_type("laundry"))
    login_as(make_user("a11y-admin", superuser=True))
    response = page.goto(f"{live_server.url}/admin/sites/site/{site.pk}/change/")
    assert response.status == 200
    page.wait_for_load_state("load")

    violations = axe()
    critical = [v for v in violations if v["impact"] == "critical"]
    assert not critical, describe_violations(critical)
    # Each field of the first service row is named after its column, with the row.
    for field, column in [("status", "Status"), ("daily_capacity", "Daily capacity")]:
        name = page.locator(f"#id_services-0-{field}").get_attribute("aria-label")
        assert name == f"{column} (1)"
