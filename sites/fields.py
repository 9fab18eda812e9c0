"""A JSON model field whose forms parse the text strictly (see sites.validators).

Django's JSON form field parses with `json.loads` as it is: NaN, Infinity and 1e309 pass (and
PostgreSQL refuses them later), a 5,000-digit number raises ValueError and deep nesting
RecursionError, both a server error. Every form made from this model field, the app's own,
the admin's and the import's rows alike, gets the strict parser and a message instead.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.fields import InvalidJSONInput, JSONString

from sites.validators import parse_json_text


class StrictJSONFormField(forms.JSONField):
    def to_python(self, value: Any) -> Any:
        if self.disabled:
            return value
        if value in self.empty_values:
            return None
        if isinstance(value, list | dict | int | float | JSONString):
            return value
        converted = parse_json_text(value)
        return JSONString(converted) if isinstance(converted, str) else converted

    def bound_data(self, data: Any, initial: Any) -> Any:
        # The form shown again after an error holds what was typed, as it was typed.
        if self.disabled:
            return initial
        if data is None:
            return None
        try:
            return parse_json_text(data)
        except ValidationError:
            return InvalidJSONInput(data)


class StrictJSONField(models.JSONField):
    """A JSONField edited through StrictJSONFormField."""

    def formfield(self, **kwargs: Any) -> forms.Field:
        return super().formfield(**{"form_class": StrictJSONFormField, **kwargs})
