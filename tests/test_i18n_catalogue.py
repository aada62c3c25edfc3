"""The Spanish catalogue is complete, well formed, compiled, and covers the templates' strings."""

import ast
import re
from pathlib import Path

import polib
from django.conf import settings
from django.utils.translation.template import templatize

PO_PATH = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
TAG = re.compile(r"</?[a-z]+[^>]*>")


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


def template_messages() -> set[tuple[str | None, str]]:
    """(context, msgid) of every string marked in the templates, read the way makemessages
    reads them: Django's templatize() turns a template into gettext() calls."""
    found = set()
    for template in Path(settings.BASE_DIR, "templates").rglob("*"):
        if template.suffix not in {".html", ".txt"}:
            continue
        code = templatize(template.read_text(), origin=str(template))
        for match in GETTEXT_CALL.finditer(code):
            call = ast.parse(code[match.start() : _call_end(code, match.end())], mode="eval").body
            strings = [arg.value for arg in call.args if isinstance(arg, ast.Constant)]
            function = match.group(1)
            context = strings.pop(0) if function in {"pgettext", "npgettext"} else None
            found.add((context, strings[0]))
    return found


GETTEXT_CALL = re.compile(r"\b(gettext|pgettext|ngettext|npgettext)\(")


def _call_end(code: str, start: int) -> int:
    """The index just after the parenthesis that closes the call opened before start."""
    depth, quote, index = 1, None, start
    while depth:
        char = code[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        index += 1
    return index


def test_strings_marked_in_templates_are_in_the_catalogue():
    translated = {(e.msgctxt, e.msgid) for e in catalogue().translated_entries()}
    marked = template_messages()
    assert len(marked) > 100  # the extraction itself works
    missing = sorted(set(marked) - translated, key=str)
    assert missing == [], "Run make makemessages and translate these"
