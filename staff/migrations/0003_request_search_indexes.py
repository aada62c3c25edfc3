"""Indexes that keep the request list fast at 200,000 requests, on PostgreSQL.

Admin's search is `UPPER(column) LIKE UPPER('%term%')` over names, email, phone and reference;
trigram GIN indexes on those expressions answer it without reading the table. The office,
status and date index serves each office's list, its counts and the dashboard. SQLite (local
work) does without them; the model state does not list them, so `makemigrations` stays clean.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.models.functions import Upper

SEARCHED = ["first_name", "last_name", "email", "phone", "reference"]


class TrigramExtensionOnPostgreSQL(TrigramExtension):
    """pg_trgm on PostgreSQL (nothing elsewhere); left installed when migrating back, since
    other things may use it."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        return


def indexes():
    from django.contrib.postgres.indexes import GinIndex, OpClass
    from django.db.models import Index

    found = [
        GinIndex(OpClass(Upper(column), name="gin_trgm_ops"), name=f"staff_trgm_{column}")
        for column in SEARCHED
    ]
    found.append(Index(fields=["office", "status", "created_at"], name="staff_office_status"))
    found.append(Index(fields=["phone"], name="staff_request_phone"))
    return found


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("bookings", "ConsultationRequest")
    for index in indexes():
        schema_editor.add_index(model, index)


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("bookings", "ConsultationRequest")
    for index in indexes():
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0002_existing_front_desk_sees_all_offices"),
        ("bookings", "0002_front_desk_group"),
    ]

    operations = [
        TrigramExtensionOnPostgreSQL(),
        migrations.RunPython(add_indexes, remove_indexes),
    ]
