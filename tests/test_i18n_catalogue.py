"""The Spanish catalogue is complete, well formed, compiled, and covers the templates' strings."""

import re
from pathlib import Path

import polib
from django.conf import settings

from clinic_site.jinja_messages import jinja_messages

PO_PATH = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
TAG = re.compile(r"</?[a-z]+[^>]*>")
SIMPLE_TRANSLATE = re.compile(r"""{%\s*translate\s+(["'])(.+?)\1\s*(as \w+\s*)?%}""")


def catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def test_every_entry_is_translated_and_none_is_fuzzy():
    po = catalogue()
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == "es"
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    for entry in po:
        if entry.msgid_plural:
            assert all(entry.msgstr_plural.values()), entry.msgid


def test_translations_keep_their_placeholders_and_markup():
    for entry in catalogue().translated_entries():
        translations = list(entry.msgstr_plural.values()) or [entry.msgstr]
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(entry.msgid)), (
                entry.msgid
            )
            assert sorted(TAG.findall(text)) == sorted(TAG.findall(entry.msgid)), entry.msgid


def test_the_compiled_catalogue_matches_the_po_file():
    mo_path = PO_PATH.with_suffix(".mo")
    assert mo_path.exists(), "Compile the translations first: make messages"
    compiled = polib.mofile(str(mo_path))
    expected = {(e.msgctxt, e.msgid): e.msgstr for e in catalogue().translated_entries()}
    found = {(e.msgctxt, e.msgid): e.msgstr for e in compiled if e.msgid}
    assert found == expected, "The .mo file is stale: run make messages"


def test_strings_marked_in_templates_are_in_the_catalogue():
    translated = {(e.msgctxt, e.msgid) for e in catalogue().translated_entries()}
    marked = jinja_messages()
    assert len(marked) > 100  # the extraction itself works
    missing = sorted(set(marked) - translated, key=str)
    assert missing == [], "Run make makemessages and translate these"


def test_django_templates_strings_are_in_the_catalogue():
    msgids = {e.msgid for e in catalogue() if not e.msgctxt}
    missing = []
    for template in Path(settings.BASE_DIR, "templates", "django").rglob("*"):
        if template.suffix not in {".html", ".txt"}:
            continue
        for match in SIMPLE_TRANSLATE.finditer(template.read_text()):
            if " context " in match.group(0):
                continue
            if match.group(2) not in msgids:
                missing.append((template.name, match.group(2)))
    assert missing == [], "Run make makemessages and translate these"
