"""One term per concept in Chinese: the glossary (locale/glossary.tsv) names each concept's term
and the variants to avoid; no Chinese translation uses a variant."""

from pathlib import Path

from django.conf import settings

from tests.test_translations import CHINESE_PO

GLOSSARY = Path(settings.BASE_DIR) / "locale" / "glossary.tsv"


def glossary() -> list[tuple[str, str, list[str]]]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, chinese, avoid = line.split("\t")
        rows.append((english, chinese, [v for v in avoid.split(",") if v]))
    return rows


def translations() -> list[str]:
    """Every msgstr line of the Chinese catalogue (msgids are English)."""
    lines, current = [], False
    for line in CHINESE_PO.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgstr"):
            current = True
        elif line.startswith(("msgid", "#", "msgctxt")) or not line.strip():
            current = False
        if current:
            lines.append(line)
    return lines


def test_no_translation_uses_a_variant_the_glossary_avoids():
    text = "\n".join(translations())
    used = [
        f"{english}: {variant!r} (use {chinese!r})"
        for english, chinese, avoid in glossary()
        for variant in avoid
        if variant in text
    ]
    assert used == []


def test_the_glossary_terms_are_the_ones_in_use():
    text = "\n".join(translations())
    for english, chinese, _avoid in glossary():
        assert any(term.strip() in text for term in chinese.split("/")), english
