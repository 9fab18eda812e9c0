"""What django-axes records of a failed login: the username, cut to fit its table.

Axes stores the username tried in CharField(max_length=255) columns; a longer one (a scanner's
junk) made PostgreSQL refuse the row and the login page answer 500 (jazzband/django-axes#1381).
No account has a username that long (Django allows 150 characters), so cutting it loses nothing
and keeps the lockout counting such attempts under one name.
"""

from django.conf import settings
from django.http import HttpRequest

AXES_USERNAME_LENGTH = 255


def login_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the username from the credentials, else from the posted form
    (axes' own order), no longer than axes can store."""
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    if isinstance(username, str):
        return username[:AXES_USERNAME_LENGTH]
    return username
