"""Data migrations of the pages app keep what editors wrote before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_TITLES = [("pages", "0007_checked_image_fields")]
WITH_TITLES = [("pages", "0008_physician_title_and_office_name_translations")]


def migrate(targets):
    """Migrate the database to targets; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_a_title_written_in_the_name_moves_to_its_own_field_and_back(back_to_latest):
    old = migrate(BEFORE_TITLES)
    Physician = old.get_model("pages", "Physician")
    Physician.objects.create(name="Dr. Helen Amari", slug="helen-amari")
    Physician.objects.create(name="DR Ana Ruiz", slug="ana-ruiz")
    Physician.objects.create(name="Drew Carey", slug="drew-carey")
    Office = old.get_model("pages", "Office")
    Office.objects.create(
        name="Los Angeles",
        slug="los-angeles",
        reference_prefix="LAX",
        street_address="1200 Wilshire Boulevard",
        city="Los Angeles",
        postal_code="90017",
        phone="+13105550142",
        consultation_email="la@example.org",
    )

    new = migrate(WITH_TITLES)
    rows = new.get_model("pages", "Physician").objects.order_by("slug")
    assert [(p.honorific_en, p.honorific_es, p.name) for p in rows] == [
        ("Dr.", None, "Ana Ruiz"),
        (None, None, "Drew Carey"),  # not a title: left alone
        ("Dr.", None, "Helen Amari"),
    ]
    office = new.get_model("pages", "Office").objects.get()
    assert (office.name_en, office.name_es) == ("Los Angeles", None)

    old = migrate(BEFORE_TITLES)
    names = old.get_model("pages", "Physician").objects.order_by("slug")
    assert [p.name for p in names] == ["Dr. Ana Ruiz", "Drew Carey", "Dr. Helen Amari"]
