import pytest


def pytest_collection_modifyitems(config, items):
    """Slow tests (tens of seconds each) run only when asked for, ``pytest -m slow``: the default
    run, twice in CI, stays quick with a small case of each behaviour. ``-m "not browser"``
    (make test) does not ask for them."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with `pytest -m slow tests/siting`")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
