"""Strings marked in the Jinja2 templates, for the Spanish catalogue.

Django's makemessages reads only Django templates and Python, so `make makemessages` runs
this afterwards: python -m clinic_site.jinja_messages locale/es/LC_MESSAGES/django.po
It adds the templates' strings to the .po file (keeping existing translations, also of
entries makemessages had just marked obsolete) and drops entries no longer used anywhere.
"""

import sys
from pathlib import Path

import jinja2
from jinja2.ext import GETTEXT_FUNCTIONS

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def template_files():
    # templates/django/ holds Django templates, which makemessages reads itself.
    return sorted(
        path
        for path in TEMPLATES.rglob("*.html")
        if "django" not in path.relative_to(TEMPLATES).parts
    )


def jinja_messages() -> dict[tuple[str | None, str], str | None]:
    """{(context, msgid): msgid_plural} for every string the Jinja2 templates translate."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    found = {}
    for path in template_files():
        for _line, function, message in env.extract_translations(
            path.read_text(), gettext_functions=GETTEXT_FUNCTIONS
        ):
            strings = message if isinstance(message, tuple) else (message,)
            if function in {"pgettext", "npgettext"}:
                context, msgid, *plural = strings
            else:
                context, (msgid, *plural) = None, strings
            found[(context, msgid)] = plural[0] if plural else None
    return found


def merge_into(po_path: str) -> None:
    import polib

    po = polib.pofile(po_path)
    by_key = {(entry.msgctxt, entry.msgid): entry for entry in po}
    for (context, msgid), plural in jinja_messages().items():
        entry = by_key.get((context, msgid))
        if entry is None:
            entry = polib.POEntry(msgctxt=context, msgid=msgid, msgstr="")
            if plural:
                entry.msgid_plural = plural
                entry.msgstr_plural = {0: "", 1: ""}
            po.append(entry)
        entry.obsolete = False
    for entry in [entry for entry in po if entry.obsolete]:
        po.remove(entry)
    po.save()


if __name__ == "__main__":
    merge_into(sys.argv[1])
