"""Ids typed, posted, imported or put in an address by users, parsed in one place.

`str.isdigit()` is true for "²" and "٣", which `int()` refuses; `int()` of a 5,000-digit text
raises ValueError; and SQLite raises OverflowError for an id past 2**63 - 1. Whatever comes
from a user and should be an id goes through `parse_id`; URLs take ids with `<id:pk>`.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

MAX_ID = 2**63 - 1  # the largest BigAutoField value PostgreSQL and SQLite can hold
_ASCII_DIGITS = frozenset("0123456789")


def parse_id(value: Any) -> int | None:
    """A database id from user input, or None when the value is not one: ASCII digits only
    (surrounding spaces allowed), at least 1 and at most MAX_ID."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > len(str(MAX_ID)) or not _ASCII_DIGITS.issuperset(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def _shortened(value: Any, limit: int = 24) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


class ModelMultipleIdChoiceField(forms.ModelMultipleChoiceField):
    """Objects chosen by id: a value that is no id is refused with the field's own message
    before any query (Django checks only that each value converts, and SQLite then fails on
    an id too large for it)."""

    def _check_values(self, value):
        if self.to_field_name in (None, "pk", "id"):
            for item in value:
                if parse_id(item) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": _shortened(item)},
                    )
        return super()._check_values(value)


class IdConverter:
    """`<id:pk>` in a URL: an id a database can hold, else the URL does not match (404).
    Django's `<int:pk>` matches any number of digits, and a query with an id past MAX_ID
    fails on SQLite instead of finding nothing."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)  # tells the resolver that this URL does not match
        return number

    def to_url(self, value: Any) -> str:
        return str(value)
