import copy

import pytest


@pytest.fixture(autouse=True)
def _tmp_nav_stub(settings):
    # TEMPORARY while other apps' URLs named in the nav do not exist yet.
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = ["/tmp/navstub", *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
