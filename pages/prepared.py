"""Querysets whose SQL is built once per worker and language, then run with new values.

On a page-cache miss of the treatment page, turning its querysets into SQL (filters, joins,
ordering, django-modeltranslation's field rewriting) cost several times more than running
the SQL. A PreparedQuery builds the queryset once with placeholder values, keeps its SQL, and
on each call runs that SQL through Manager.raw() with the real values, which still gives model
instances with converted field values, as the ORM would.

Only for querysets whose SQL never changes except for the placeholder values: no dates that
move, no values read from settings at run time.
"""

from collections.abc import Callable
from datetime import date

from django.db import models
from django.utils.translation import get_language

# Values no page ever asks for: where one appears in the SQL's parameters, a real value goes.
PLACEHOLDERS = {
    int: -7_654_321,
    str: "\x00placeholder\x00",
    date: date(1901, 1, 1),
}


class PreparedQuery:
    def __init__(self, model: type[models.Model], build: Callable[..., models.QuerySet], **kinds):
        """build(**values) returns the queryset; kinds names each value's type, e.g. pk=int."""
        self.model = model
        self.build = build
        self.kinds = kinds
        self.sql_by_language: dict[str | None, tuple[str, list]] = {}

    def __call__(self, **values) -> list[models.Model]:
        language = get_language()
        prepared = self.sql_by_language.get(language)
        if prepared is None:
            prepared = self.sql_by_language[language] = self.prepare()
        sql, slots = prepared
        params = [slot.bind(values) if isinstance(slot, _Slot) else slot for slot in slots]
        return list(self.model._default_manager.raw(sql, params))

    def prepare(self) -> tuple[str, list]:
        placeholders = {name: PLACEHOLDERS[kind] for name, kind in self.kinds.items()}
        queryset = self.build(**placeholders)
        if queryset.model is not self.model or queryset.query.select_related:
            raise ValueError("A PreparedQuery selects plain rows of its own model.")
        sql, params = queryset.query.sql_with_params()
        by_value = {value: _Slot(name) for name, value in placeholders.items()}
        # SQLite's backend turns dates into text while compiling; the real value must too.
        by_value.update(
            {str(value): _Slot(name, as_text=True) for name, value in placeholders.items()}
        )
        slots = [by_value.get(param, param) for param in params]
        missing = set(placeholders) - {slot.name for slot in slots if isinstance(slot, _Slot)}
        if missing:
            raise ValueError(f"The query does not use {sorted(missing)}.")
        return sql, slots


class _Slot:
    def __init__(self, name: str, as_text: bool = False):
        self.name = name
        self.as_text = as_text

    def bind(self, values: dict):
        value = values[self.name]
        return str(value) if self.as_text else value
