"""Both languages complete: every string a template translates has its Chinese translation.

English is the msgid language, so English is complete once the string is in the catalogue. The
msgids are read exactly as `makemessages` reads them (Django's own `templatize`), and the .po
file with a small parser, so the test needs neither xgettext nor polib.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation.template import templatize

BASE_DIR = Path(settings.BASE_DIR)
CHINESE_PO = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PROJECT_APPS = ["fenglin", "sites", "surveys", "scenarios"]
TEMPLATE_DIRS = [BASE_DIR / "templates", *(BASE_DIR / app / "templates" for app in PROJECT_APPS)]

_STRING = r"u?(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
# The calls templatize writes: gettext('..'), ngettext('..', '..', count), pgettext('ctx', '..'),
# npgettext('ctx', '..', '..', count) and _("..") for translated constants.
_CALL = re.compile(rf"(?<![\w.])(gettext|ngettext|pgettext|npgettext|_)\(((?:\s*{_STRING}\s*,?)+)")
_LITERAL = re.compile(_STRING)

Key = tuple[str | None, str]  # (context, msgid)


def messages_in_template(source: str) -> set[Key]:
    """The (context, msgid) pairs makemessages would extract from a template's source."""
    found: set[Key] = set()
    for call in _CALL.finditer(templatize(source)):
        name, args = call[1], [ast.literal_eval(s) for s in _LITERAL.findall(call[2])]
        if name in ("pgettext", "npgettext"):
            found.add((args[0], args[1]))
        else:
            found.add((None, args[0]))
    return found


def template_messages() -> dict[Key, list[str]]:
    """Every translatable template string of the project, with the templates using it."""
    where: dict[Key, list[str]] = {}
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")) if folder.is_dir() else []:
            for key in messages_in_template(path.read_text(encoding="utf-8")):
                where.setdefault(key, []).append(str(path.relative_to(BASE_DIR)))
    return where


@dataclass
class Entry:
    translations: list[str]
    fuzzy: bool


def parse_po(text: str) -> dict[Key, Entry]:
    """The live entries of a .po file by (context, msgid); obsolete (#~) entries are left out."""
    entries: dict[Key, Entry] = {}
    fields: dict[str, str] = {}
    flags: set[str] = set()
    obsolete = False
    current: str | None = None

    def finish() -> None:
        nonlocal fields, flags, obsolete, current
        if "msgid" in fields and not obsolete:
            translations = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
            key = (fields.get("msgctxt"), fields["msgid"])
            entries[key] = Entry(translations, "fuzzy" in flags)
        fields, flags, obsolete, current = {}, set(), False, None

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            obsolete = True
        elif line.startswith("#,"):
            if "msgid" in fields:
                finish()
            flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if current is not None:
                fields[current] += ast.literal_eval(line)
        else:
            keyword, _space, value = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and "msgstr" in " ".join(fields):
                finish()  # a new entry without a blank line before it
            current = keyword
            fields[keyword] = ast.literal_eval(value)
    finish()
    entries.pop((None, ""), None)  # the header
    return entries


def untranslated(used: dict[Key, list[str]], catalogue: dict[Key, Entry]) -> list[str]:
    problems = []
    for (context, msgid), templates in sorted(used.items(), key=lambda item: item[0][1]):
        entry = catalogue.get((context, msgid))
        label = f"{msgid!r}" + (f" (context {context!r})" if context else "")
        if entry is None:
            problems.append(f"{label} in {templates[0]}: not in the catalogue")
        elif entry.fuzzy:
            problems.append(f"{label} in {templates[0]}: fuzzy")
        elif not entry.translations or not all(t.strip() for t in entry.translations):
            problems.append(f"{label} in {templates[0]}: no Chinese translation")
    return problems


def test_every_template_string_has_a_chinese_translation():
    assert CHINESE_PO.exists(), (
        f"{CHINESE_PO.relative_to(BASE_DIR)} is missing: run "
        "`manage.py makemessages -l zh_Hans` and translate it"
    )
    used = template_messages()
    assert used, "no translatable template string found: the template scan is broken"

    problems = untranslated(used, parse_po(CHINESE_PO.read_text(encoding="utf-8")))

    assert not problems, f"{len(problems)} template strings lack Chinese:\n" + "\n".join(
        problems[:50]
    )


# --- The checker itself --------------------------------------------------------------------

SAMPLE_TEMPLATE = (
    "{% load i18n %}\n"
    '<h1>{% translate "Sites" %}</h1>\n'
    "<p>{% translate 'May' context \"month\" %}</p>\n"
    "{% blocktranslate count counter=n %}{{ counter }} stop{% plural %}"
    "{{ counter }} stops{% endblocktranslate %}\n"
    "{% blocktranslate trimmed with name=site.name %}\n  Near {{ name }}\n{% endblocktranslate %}\n"
    "<p>{% translate variable %}</p>\n"
)

SAMPLE_PO = r"""# header comment
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"

#: templates/x.html:2
msgid "Sites"
msgstr "站点"

msgctxt "month"
msgid "May"
msgstr "五月"

#, python-format
msgid "%(counter)s stop"
msgid_plural "%(counter)s stops"
msgstr[0] "%(counter)s 站"

#, fuzzy, python-format
msgid "Near %(name)s"
msgstr "在 %(name)s 附近"

msgid "Long "
"text with \"quotes\""
msgstr ""

#~ msgid "Old"
#~ msgstr "旧"
"""


def test_the_scan_finds_what_makemessages_would():
    assert messages_in_template(SAMPLE_TEMPLATE) == {
        (None, "Sites"),
        ("month", "May"),
        (None, "%(counter)s stop"),
        (None, "Near %(name)s"),
    }


def test_the_po_parser_reads_contexts_plurals_flags_and_continuations():
    entries = parse_po(SAMPLE_PO)

    assert entries[(None, "Sites")] == Entry(["站点"], False)
    assert entries[("month", "May")] == Entry(["五月"], False)
    assert entries[(None, "%(counter)s stop")] == Entry(["%(counter)s 站"], False)
    assert entries[(None, "Near %(name)s")].fuzzy
    assert entries[(None, 'Long text with "quotes"')] == Entry([""], False)
    assert (None, "Old") not in entries
    assert (None, "") not in entries


def test_missing_fuzzy_and_empty_translations_are_each_reported():
    used = {
        (None, "Sites"): ["a.html"],
        (None, "Near %(name)s"): ["b.html"],
        (None, 'Long text with "quotes"'): ["c.html"],
        (None, "Brand new"): ["d.html"],
        ("month", "May"): ["e.html"],
    }

    problems = untranslated(used, parse_po(SAMPLE_PO))

    assert problems == [
        "'Brand new' in d.html: not in the catalogue",
        "'Long text with \"quotes\"' in c.html: no Chinese translation",
        "'Near %(name)s' in b.html: fuzzy",
    ]


@pytest.mark.parametrize("template", ["base.html", "public/service_map.html"])
def test_the_project_templates_are_scanned(template):
    paths = {path for paths in template_messages().values() for path in paths}
    assert f"templates/{template}" in paths
