"""The compiled Chinese catalogue (.mo, what Django reads) matches its source (.po).

The .mo files are committed so that a fresh machine needs no gettext tools; this test catches a
.po edited without `make messages`.
"""

import gettext
from pathlib import Path

from tests.test_translations import parse_po

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_catalogue_entry_is_translated():
    entries = parse_po((LOCALE / "django.po").read_text(encoding="utf-8"))
    missing = [
        msgid
        for (_ctx, msgid), entry in entries.items()
        if entry.fuzzy or not all(entry.translations)
    ]
    assert missing == [], f"{len(missing)} untranslated, e.g. {missing[:5]}"


def test_the_compiled_catalogue_matches_the_source():
    entries = parse_po((LOCALE / "django.po").read_text(encoding="utf-8"))
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for (context, msgid), entry in entries.items():
        if entry.fuzzy or len(entry.translations) != 1 or not entry.translations[0]:
            continue
        found = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        if found != entry.translations[0]:
            stale.append(msgid)
    assert stale == [], f"run `make messages`: {len(stale)} stale, e.g. {stale[:5]}"
