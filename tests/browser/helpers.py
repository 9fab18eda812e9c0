"""Helpers shared by the browser tests (fixtures live in conftest.py)."""

import pytest

BROWSER_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)
"""Browser tests share the database with the live server's thread, so they run outside a
transaction; the serialized rollback gives each one the migrated catalogue back."""


def describe_violations(violations: list[dict]) -> str:
    """axe-core's violations as readable lines: rule, impact, and the first offending nodes."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']} — {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(node['target'])}: {node['html'][:160]}")
    return "\n".join(lines)
