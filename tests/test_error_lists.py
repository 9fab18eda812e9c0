"""Error lists keep list semantics: `role="alert"` belongs on a wrapper or the error summary,
never on the `<ul>` itself (it replaces the list's role, so screen readers lose "list, 2
items")."""

import re
from pathlib import Path

from django.conf import settings

# A live region's role (alert, status) on the list itself; widget roles (listbox) are fine.
LIST_WITH_ROLE = re.compile(r"<(ul|ol)\b[^>]*\brole=\"(alert|status)\"")


def test_no_template_gives_a_list_another_role():
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}"
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        for match in LIST_WITH_ROLE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
