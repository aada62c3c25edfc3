"""Markdown to safe HTML, done once when content is saved (requests never render Markdown)."""

from django.conf import settings

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


def render_markdown_fields(instance, source: str, target: str) -> None:
    """Render `source` into `target` for every language the content can be written in."""
    languages = [code for code, _ in settings.LANGUAGES]
    if not hasattr(instance, f"{source}_{languages[0]}"):
        setattr(instance, target, render_markdown(getattr(instance, source)))
        return
    for code in languages:
        markdown_text = getattr(instance, f"{source}_{code}") or ""
        html = render_markdown(markdown_text) if markdown_text else ""
        setattr(instance, f"{target}_{code}", html)
