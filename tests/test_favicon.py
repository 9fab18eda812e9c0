"""Every page names its icon, and /favicon.ico (which browsers ask for anyway) leads to it."""

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_pages_link_the_icon_and_the_old_address_redirects(client):
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page and "img/favicon.svg" in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
    assert finders.find("img/favicon.svg")
