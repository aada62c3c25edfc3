"""Side-by-side comparison of two versions of a page: live, draft, or any kept in its history.

Versions are stored by django-reversion; a version is read back through its public field_dict,
so a page and its sections compare the same whether they come from the database or history.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .drafts import CHILD_RELATIONS, content_fields, page_type


@dataclass
class PageSnapshot:
    """What a page said at one moment: its fields, its sections and FAQs, its conditions."""

    label: str
    fields: dict = field(default_factory=dict)
    children: dict[str, list[dict]] = field(default_factory=dict)
    m2m: dict[str, list] = field(default_factory=dict)


def snapshot_of(obj, label: str) -> PageSnapshot:
    """A page as it is in the database now (the live row or its draft)."""
    model = type(obj)
    snapshot = PageSnapshot(label=label)
    snapshot.fields = {f.attname: f.value_from_object(obj) for f in content_fields(model)}
    for relation in CHILD_RELATIONS.get(model._meta.concrete_model, ()):
        child_model = model._meta.get_field(relation).related_model
        names = ["id", "draft_of_id"] + [f.attname for f in content_fields(child_model)]
        snapshot.children[relation] = [
            {name: getattr(child, name) for name in names} for child in getattr(obj, relation).all()
        ]
    for m2m_field in model._meta.many_to_many:
        snapshot.m2m[m2m_field.attname] = [item.pk for item in getattr(obj, m2m_field.name).all()]
    return snapshot


def snapshot_of_revision(revision, model, label: str = "") -> PageSnapshot:
    """A page as one django-reversion revision kept it, sections included."""
    versions = list(revision.version_set.select_related("content_type"))
    page_ct = page_type(model)
    main = next(version for version in versions if version.content_type_id == page_ct.pk)
    values = main.field_dict
    snapshot = PageSnapshot(label=label)
    snapshot.fields = {
        f.attname: values[f.attname] for f in content_fields(model) if f.attname in values
    }
    for relation in CHILD_RELATIONS.get(model._meta.concrete_model, ()):
        child_model = model._meta.get_field(relation).related_model
        child_ct = page_type(child_model)
        fk = model._meta.get_field(relation).field.attname
        rows = [
            version.field_dict for version in versions if version.content_type_id == child_ct.pk
        ]
        snapshot.children[relation] = sorted(
            (row for row in rows if str(row.get(fk)) == str(main.object_id)),
            key=lambda row: (row.get("sort_order", 0), row.get("id", 0)),
        )
    for m2m_field in model._meta.many_to_many:
        snapshot.m2m[m2m_field.attname] = [int(pk) for pk in values.get(m2m_field.attname, [])]
    return snapshot


@dataclass
class Difference:
    label: str
    before: SafeString
    after: SafeString


def compare(before: PageSnapshot, after: PageSnapshot, model) -> list[Difference]:
    """Every field, section, FAQ and reference that differs, with the changed words marked."""
    found = _field_differences(before.fields, after.fields, model, prefix="")
    for relation in CHILD_RELATIONS.get(model._meta.concrete_model, ()):
        child_model = model._meta.get_field(relation).related_model
        old_rows = {_identity(row): row for row in before.children.get(relation, [])}
        new_rows = {_identity(row): row for row in after.children.get(relation, [])}
        for key in list(old_rows) + [key for key in new_rows if key not in old_rows]:
            old, new = old_rows.get(key), new_rows.get(key)
            title = _row_title(new or old, child_model)
            prefix = f"{child_model._meta.verbose_name.capitalize()} “{title}”: "
            if old is None or new is None:
                found.append(
                    Difference(
                        label=prefix + ("added" if old is None else "removed"),
                        before=_whole(old, child_model, "del"),
                        after=_whole(new, child_model, "ins"),
                    )
                )
            else:
                found += _field_differences(old, new, child_model, prefix=prefix)
    for m2m_field in model._meta.many_to_many:
        old_ids = before.m2m.get(m2m_field.attname, [])
        new_ids = after.m2m.get(m2m_field.attname, [])
        if set(old_ids) != set(new_ids):
            names = dict(
                (item.pk, str(item))
                for item in m2m_field.related_model.objects.filter(pk__in={*old_ids, *new_ids})
            )
            old_text = ", ".join(sorted(names.get(pk, f"#{pk}") for pk in old_ids))
            new_text = ", ".join(sorted(names.get(pk, f"#{pk}") for pk in new_ids))
            found.append(
                Difference(m2m_field.verbose_name.capitalize(), *word_diff(old_text, new_text))
            )
    return found


def _identity(row: dict):
    """The same section in two versions: a draft's copy names the live row it came from."""
    return row.get("draft_of_id") or row.get("id")


def _row_title(row: dict, model) -> str:
    for name in ("heading_en", "question_en", "citation"):
        if row.get(name):
            return str(row[name])[:60]
    if row.get("kind"):
        return str(dict(model._meta.get_field("kind").flatchoices).get(row["kind"], row["kind"]))
    return "…"


def _field_differences(old: dict, new: dict, model, *, prefix: str) -> list[Difference]:
    found = []
    for model_field in content_fields(model):
        if not model_field.editable or model_field.attname in {"draft_of_id", "sort_order"}:
            continue
        old_value = _shown(model_field, old.get(model_field.attname))
        new_value = _shown(model_field, new.get(model_field.attname))
        if old_value != new_value:
            label = prefix + str(model_field.verbose_name).capitalize()
            found.append(Difference(label, *word_diff(old_value, new_value)))
    return found


def _shown(model_field, value) -> str:
    if value is None:
        return ""
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        target = model_field.related_model.objects.filter(pk=value).first()
        return str(target) if target else ""
    return str(getattr(value, "name", value))


def _whole(row: dict | None, model, tag: str) -> SafeString:
    if row is None:
        return mark_safe("")
    lines = []
    for model_field in content_fields(model):
        if model_field.editable and model_field.attname not in {"sort_order"}:
            value = _shown(model_field, row.get(model_field.attname))
            if value:
                lines.append(
                    format_html(
                        "<strong>{}:</strong> <{}>{}</{}>",
                        str(model_field.verbose_name).capitalize(),
                        mark_safe(tag),
                        value,
                        mark_safe(tag),
                    )
                )
    return mark_safe("<br>".join(lines))


# A line break that only wraps a paragraph (not one before a list item or a blank line).
WRAPPED_LINE = re.compile(r"(?<!\n)\n(?!\n|\s*(?:[-*+]|\d+\.)\s)")


def word_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    """The two texts, with removed words in <del> on the left and added ones in <ins>."""
    old, new = (WRAPPED_LINE.sub(" ", text.replace("\r\n", "\n")) for text in (old, new))
    old_words, new_words = old.split(" "), new.split(" ")
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    before, after = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old_part = escape(" ".join(old_words[i1:i2]))
        new_part = escape(" ".join(new_words[j1:j2]))
        if tag == "equal":
            before.append(old_part)
            after.append(new_part)
            continue
        if i2 > i1:
            before.append(f"<del>{old_part}</del>")
        if j2 > j1:
            after.append(f"<ins>{new_part}</ins>")
    return (
        mark_safe(" ".join(before).replace("\n", "<br>")),
        mark_safe(" ".join(after).replace("\n", "<br>")),
    )
