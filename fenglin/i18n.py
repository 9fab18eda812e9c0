"""Picking a text by the active language, for content staff enter in both languages."""

from django.utils.translation import get_language


def in_active_language(chinese: str, english: str) -> str:
    """The English text on English pages when there is one; the Chinese text otherwise."""
    if english and (get_language() or "").startswith("en"):
        return english
    return chinese
