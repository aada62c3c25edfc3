"""Querysets whose SQL is built once per worker and language, then run with new values.

On a page-cache miss of the treatment page, turning its querysets into SQL (filters, joins,
ordering, django-modeltranslation's field rewriting) cost several times more than running
the SQL. A PreparedQuery builds the queryset once with placeholder values and keeps its SQL;
each call runs that SQL with the real values and makes instances the way the ORM does
(Model.from_db, after the same database and field converters), with annotations as attributes.

Only for querysets whose SQL never changes except for the placeholder values: anything that
varies (today's date, a slug) must be one of the values, never computed inside build().
"""

import itertools
import re
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.db import connections, models, router
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
        self.prepared_by_language: dict[str | None, _Prepared] = {}

    def __call__(self, **values) -> list[models.Model]:
        language = get_language()
        prepared = self.prepared_by_language.get(language)
        if prepared is None:
            prepared = self.prepared_by_language[language] = self.prepare()
        params = [slot.bind(values) if isinstance(slot, _Slot) else slot for slot in prepared.slots]
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and settings.PREPARED_STATEMENTS:
                self.execute_prepared_statement(connection, cursor, prepared, params)
            else:
                cursor.execute(prepared.sql, params)
            columns = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
        if columns != prepared.columns:
            raise RuntimeError(f"{self.model.__name__}: the query returned other columns.")
        converters = prepared.converters(connection)
        found = []
        for row in rows:
            row = list(row)
            for index, expression, functions in converters:
                for function in functions:
                    row[index] = function(row[index], expression, connection)
            instance = self.model.from_db(alias, prepared.attnames, row[: len(prepared.attnames)])
            for name, value in zip(
                prepared.annotations, row[len(prepared.attnames) :], strict=True
            ):
                setattr(instance, name, value)
            found.append(instance)
        return found

    @staticmethod
    def execute_prepared_statement(connection, cursor, prepared, params) -> None:
        """PostgreSQL plans the statement once per database session, then only executes it.

        Sessions are tracked by the driver's connection object, so a reconnect prepares again.
        (Behind a pooler in transaction mode, such as PgBouncer, sessions are shared: there,
        set PREPARED_STATEMENTS=0.)
        """
        session = connection.connection
        known = getattr(connection, "_clinic_prepared", None)
        if known is None or known[0] is not session:
            known = connection._clinic_prepared = (session, set())
        if prepared.name not in known[1]:
            cursor.execute(f"PREPARE {prepared.name} AS {prepared.numbered_sql}")
            known[1].add(prepared.name)
        placeholders = ", ".join(["%s"] * len(params))
        cursor.execute(
            f"EXECUTE {prepared.name}({placeholders})" if params else f"EXECUTE {prepared.name}",
            params,
        )

    def prepare(self) -> "_Prepared":
        placeholders = {name: PLACEHOLDERS[kind] for name, kind in self.kinds.items()}
        queryset = self.build(**placeholders)
        query = queryset.query
        if queryset.model is not self.model or query.select_related or query.extra_select:
            raise ValueError("A PreparedQuery selects fields of its own model, no related rows.")
        sql, params = query.sql_with_params()
        by_value = {value: _Slot(name) for name, value in placeholders.items()}
        # SQLite's backend turns dates into text while compiling; the real value must too.
        by_value.update(
            {str(value): _Slot(name, as_text=True) for name, value in placeholders.items()}
        )
        slots = [by_value.get(param, param) for param in params]
        missing = set(placeholders) - {slot.name for slot in slots if isinstance(slot, _Slot)}
        if missing:
            raise ValueError(f"The query does not use {sorted(missing)}.")
        name = f"clinic_{self.model._meta.db_table}_{next(_numbers)}"
        names, defer = query.deferred_loading  # only() or defer(): some columns stay unread
        fields = [
            field
            for field in self.model._meta.concrete_fields
            if field.primary_key or (field.name in names) != defer
        ]
        return _Prepared(name, sql, slots, fields, dict(query.annotation_select))


_numbers = itertools.count(1)


class _Prepared:
    """The SQL, where values go, and how to turn its rows into instances as the ORM does."""

    def __init__(self, name: str, sql: str, slots: list, fields: list, annotations: dict):
        self.name = name
        self.sql = sql
        # For PostgreSQL's PREPARE: $1, $2… instead of the driver's %s (Django's SQL for these
        # querysets has every value as a parameter, so %s never appears inside a literal).
        numbers = iter(range(1, len(slots) + 1))
        self.numbered_sql = re.sub(r"%s", lambda _match: f"${next(numbers)}", sql).replace(
            "%%", "%"
        )
        self.slots = slots
        self.attnames = [field.attname for field in fields]
        self.annotations = list(annotations)
        # The SQL selects the fields' columns in model order, then the annotations; every call
        # checks the cursor says the same, so a change in Django cannot shift values silently.
        self.columns = [field.column for field in fields] + self.annotations
        self.expressions = [field.get_col(field.model._meta.db_table) for field in fields] + list(
            annotations.values()
        )

    def converters(self, connection) -> list:
        """Per column, the database's and the field's converters (dates on SQLite, JSON)."""
        found = []
        for index, expression in enumerate(self.expressions):
            functions = connection.ops.get_db_converters(expression)
            functions += expression.get_db_converters(connection)
            if functions:
                found.append((index, expression, functions))
        return found


class _Slot:
    def __init__(self, name: str, as_text: bool = False):
        self.name = name
        self.as_text = as_text

    def bind(self, values: dict):
        value = values[self.name]
        return str(value) if self.as_text else value
