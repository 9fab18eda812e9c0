"""Picking a text by the active language, for content staff enter in both languages."""

from django.utils.translation import get_language, gettext_noop


def in_active_language(chinese: str, english: str) -> str:
    """The English text on English pages when there is one; the Chinese text otherwise."""
    if english and (get_language() or "").startswith("en"):
        return english
    return chinese


# Strings Django itself shows without a Chinese translation in its own catalogue (new in 6.1).
# Listed here so that makemessages puts them in ours, which Django reads first.
DJANGO_STRINGS_WITHOUT_CHINESE = [
    gettext_noop("- Select an option -"),
]
