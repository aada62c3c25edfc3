"""Prepared queries give what the ORM gives, for every treatment and in every language."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from pages.models import Condition, Treatment, TreatmentSection
from pages.prepared import PreparedQuery
from tests.test_pages_factories import make_physician, make_treatment

pytestmark = pytest.mark.django_db


def fields_of(objects):
    return [{f.attname: getattr(o, f.attname) for f in o._meta.concrete_fields} for o in objects]


def test_each_treatment_gets_its_own_lists_as_the_orm_would_give_them():
    knee = make_treatment(slug="knee", sections=4, faqs=2, conditions=3, references=2)
    hip = make_treatment(slug="hip", sections=7, faqs=0, conditions=1, references=0)
    for treatment in (knee, hip, knee):  # the SQL built for the first serves the others
        content = treatment.page_content()
        assert fields_of(content.sections) == fields_of(treatment.sections.all())
        assert fields_of(content.faqs) == fields_of(treatment.faqs.all())
        assert fields_of(content.references) == fields_of(treatment.references.all())
        assert fields_of(content.conditions) == fields_of(treatment.conditions.order_by("name"))
    assert [len(knee.page_content().sections), len(hip.page_content().sections)] == [4, 7]


def test_values_come_back_as_python_types_not_database_text():
    treatment = make_treatment(conditions=1)
    by_pk = PreparedQuery(Condition, lambda pk: Condition.objects.filter(pk=pk), pk=int)
    condition = by_pk(pk=treatment.conditions.get().pk)[0]
    assert isinstance(condition.updated_at, datetime)
    assert condition.get_deferred_fields() == set()


def test_conditions_come_as_links_without_what_the_page_never_shows():
    treatment = make_treatment(conditions=1)
    condition = treatment.page_content().conditions[0]
    assert {"description", "seo_title"} <= condition.get_deferred_fields()
    # ...yet asking for them still works (the ORM loads them), as with only() itself.
    assert condition.description == treatment.conditions.get().description


def test_spanish_pages_list_conditions_in_spanish_alphabetical_order():
    treatment = make_treatment(conditions=0)
    for english, spanish in [("Ankle pain", "Tobillo"), ("Wrist pain", "Muñeca")]:
        condition = Condition.objects.create(
            slug=english.lower().replace(" ", "-"), name=english, name_es=spanish, body_area="knee"
        )
        treatment.conditions.add(condition)
    with translation.override("en"):
        assert [c.name for c in treatment.page_content().conditions] == ["Ankle pain", "Wrist pain"]
    with translation.override("es"):
        assert [c.name for c in treatment.page_content().conditions] == ["Muñeca", "Tobillo"]


def test_a_query_that_cannot_be_prepared_is_refused():
    with_join = PreparedQuery(
        Treatment,
        lambda slug: Treatment.objects.select_related("reviewed_by").filter(slug=slug),
        slug=str,
    )
    with pytest.raises(ValueError):
        with_join(slug="knee")
    unused = PreparedQuery(TreatmentSection, lambda pk: TreatmentSection.objects.all(), pk=int)
    with pytest.raises(ValueError):
        unused(pk=1)


def test_the_live_page_is_found_only_when_published_and_due(client):
    make_treatment(slug="live")
    make_treatment(slug="draft", status=Treatment.Status.DRAFT)
    make_treatment(slug="later", published_on=date.today() + timedelta(days=2))
    live = Treatment.live_page("live")
    assert live.slug == "live"
    assert fields_of([live]) == fields_of([Treatment.objects.get(slug="live")])
    assert isinstance(live.published_on, date) and isinstance(live.hero_renditions, dict)
    assert Treatment.live_page("draft") is None
    assert Treatment.live_page("later") is None
    assert Treatment.live_page("nothing-here") is None
    assert client.get("/treatments/later/").status_code == 404


def test_the_live_page_carries_its_reviewer_in_each_language():
    reviewer = make_physician()
    reviewer.credentials = "MD, sports medicine"
    reviewer.credentials_es = "Médica, medicina deportiva"
    reviewer.honorific_es = "Dra."
    reviewer.save()
    make_treatment(slug="reviewed", reviewed_by=reviewer)
    make_treatment(slug="unreviewed")
    with translation.override("es"):
        found = Treatment.live_page("reviewed").reviewed_by
        assert (found.pk, found.name, found.credentials) == (
            reviewer.pk,
            reviewer.name,
            "Médica, medicina deportiva",
        )
        assert found.display_name == "Dra. Test Person"
        assert found.get_absolute_url() == f"/es/physicians/{reviewer.slug}/"
    with translation.override("en"):
        found = Treatment.live_page("reviewed").reviewed_by
        assert found.credentials == "MD, sports medicine"
        assert found.display_name == "Dr. Test Person"
    assert Treatment.live_page("unreviewed").reviewed_by is None


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


@postgresql_only
@pytest.mark.django_db(transaction=True)  # outside a test transaction, so it can reconnect
def test_postgresql_plans_each_query_once_per_session_and_again_after_a_reconnect(
    settings,
):
    treatment = make_treatment(sections=3)
    treatment.page_content()  # this session has the statements now
    with CaptureQueriesContext(connection) as queries:
        assert len(treatment.page_content().sections) == 3
    assert [q["sql"].split()[0] for q in queries] == ["EXECUTE"] * 4
    connection.close()  # a new session knows no statements: they are prepared again
    with CaptureQueriesContext(connection) as queries:
        assert len(treatment.page_content().sections) == 3
    assert [q["sql"].split()[0] for q in queries].count("PREPARE") == 4
    settings.PREPARED_STATEMENTS = False  # behind a pooler that shares sessions
    with CaptureQueriesContext(connection) as queries:
        assert len(treatment.page_content().sections) == 3
    assert all(q["sql"].startswith("SELECT") for q in queries)
