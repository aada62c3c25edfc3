"""Markdown to safe HTML, done once when content is saved (requests never render Markdown)."""

import re

from django.conf import settings
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext

# A citation in the text: "[1]" is the page's first reference; "[1, 3]" or "[2-4]" cite several.
CITATION_MARKER = re.compile(r"\[(\d+(?:\s*[,–-]\s*\d+)*)\]")
# Text outside tags, and whole <code>/<pre>/<a> elements, which keep their brackets as written.
_CODE_OR_LINK = re.compile(r"(<(code|pre|a)\b.*?</\2>|<[^>]+>)", re.S | re.I)

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "b", "i", "a",
    "blockquote", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td",
    "abbr", "sup", "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}


def render_markdown(text: str) -> str:
    """Render editor Markdown and strip anything that could run script in a patient's browser."""
    # Imported here: only saving content renders Markdown, so page workers never load them.
    import markdown as markdown_lib
    import nh3

    html = markdown_lib.markdown(text or "", extensions=["tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


def cited_numbers(marker_text: str) -> list[int]:
    """The reference numbers one marker cites: "1, 3" -> [1, 3]; "2-4" -> [2, 3, 4]."""
    numbers: list[int] = []
    for part in re.split(r"\s*,\s*", marker_text.strip()):
        first, _, last = re.sub(r"\s*[–-]\s*", "-", part).partition("-")
        if last and int(last) >= int(first):
            numbers += range(int(first), min(int(last), int(first) + 20) + 1)
        else:
            numbers.append(int(first))
    return numbers


def _citation_link(match) -> str:
    links = [
        format_html(
            '<a href="#ref-{}" aria-label="{}">[{}]</a>',
            number,
            gettext("Reference %(number)s") % {"number": number},
            number,
        )
        for number in cited_numbers(match.group(1))
    ]
    return '<sup class="citation">' + "".join(links) + "</sup>"


def link_citations(html: str) -> str:
    """Turn each citation marker into a numbered link to the reference list (#ref-1)."""
    # split() keeps each tag, code or link (group 1) and its tag name (group 2) in the list.
    parts = _CODE_OR_LINK.split(html)
    kept = [part for index, part in enumerate(parts) if index % 3 != 2]
    return "".join(
        part if index % 2 else CITATION_MARKER.sub(_citation_link, part)
        for index, part in enumerate(kept)
    )


def render_markdown_fields(instance, source: str, target: str) -> None:
    """Render `source` into `target` for every language the content can be written in."""
    languages = [code for code, _ in settings.LANGUAGES]
    if not hasattr(instance, f"{source}_{languages[0]}"):
        setattr(instance, target, link_citations(render_markdown(getattr(instance, source))))
        return
    for code in languages:
        markdown_text = getattr(instance, f"{source}_{code}") or ""
        with translation.override(code):  # the links' labels in the text's own language
            html = link_citations(render_markdown(markdown_text)) if markdown_text else ""
        setattr(instance, f"{target}_{code}", html)
