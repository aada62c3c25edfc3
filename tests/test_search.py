import pytest
from django.db import connection
from django.utils import timezone

from pages.models import FAQ, BodyArea, Condition, Treatment, TreatmentSection
from search.indexing import rebuild_index
from search.models import SearchDocument


@pytest.fixture
def content(db):
    stem_cells = Treatment.objects.create(
        title="Stem Cell Therapy",
        slug="stem-cell-therapy",
        summary="Cells from your own bone marrow are concentrated and injected.",
        status=Treatment.Status.PUBLISHED,
    )
    TreatmentSection.objects.create(
        treatment=stem_cells,
        kind=TreatmentSection.Kind.CONDITIONS,
        body="It may help **knee** and hip arthritis and partial rotator cuff tears.",
    )
    FAQ.objects.create(
        treatment=stem_cells, question="Does it hurt?", answer="Most people feel mild soreness."
    )
    prp = Treatment.objects.create(
        title="Platelet-Rich Plasma (PRP)",
        slug="prp",
        summary="Platelets from a small blood sample are injected to support healing.",
        status=Treatment.Status.PUBLISHED,
    )
    Treatment.objects.create(
        title="Secret Draft Therapy",
        slug="draft",
        summary="A knee treatment nobody should find yet.",
        status=Treatment.Status.DRAFT,
    )
    Treatment.objects.create(
        title="Future Knee Therapy",
        slug="future",
        summary="A knee treatment published next month.",
        status=Treatment.Status.PUBLISHED,
        published_on=timezone.localdate() + timezone.timedelta(days=30),
    )
    Condition.objects.create(
        name="Partial rotator cuff tear",
        slug="rotator-cuff",
        body_area=BodyArea.SHOULDER,
        description="A tear through part of a shoulder tendon.",
    )
    rebuild_index()
    return {"stem_cells": stem_cells, "prp": prp}


def result_titles(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return [document.title for document in response.context["results"].documents]


def test_knee_finds_the_section_but_not_drafts_or_future_pages(client, content):
    titles = result_titles(client, "knee")
    assert "Conditions treated" in titles
    assert "Secret Draft Therapy" not in titles
    assert "Future Knee Therapy" not in titles


def test_rotator_cuff_finds_the_condition_first(client, content):
    titles = result_titles(client, "rotator cuff")
    assert titles[0] == "Partial rotator cuff tear"
    assert "Conditions treated" in titles


def test_prp_finds_the_prp_treatment(client, content):
    assert result_titles(client, "PRP")[0] == "Platelet-Rich Plasma (PRP)"


def test_run_together_words_are_understood(client, content):
    response = client.get("/search/", {"q": "stemcell"})
    results = response.context["results"]
    assert results.corrected_query == "stem cell"
    assert results.documents[0].title == "Stem Cell Therapy"
    assert "Showing" in response.content.decode()


def test_a_near_misspelling_still_finds_the_condition(client, content):
    # PostgreSQL's stemmer may match it directly; otherwise the spelling help corrects it.
    results = client.get("/search/", {"q": "rotater cuff"}).context["results"]
    assert results.documents[0].title == "Partial rotator cuff tear"
    assert results.corrected_query in ("", "rotator cuff")


def test_a_misspelling_the_stemmer_cannot_fix_is_corrected(client, content):
    results = client.get("/search/", {"q": "platlets"}).context["results"]
    assert results.corrected_query == "platelets"
    assert results.documents[0].title == "Platelet-Rich Plasma (PRP)"


def test_empty_query_gets_a_helpful_page(client, content):
    response = client.get("/search/", {"q": "   "})
    assert response.status_code == 200
    assert "Please type at least one word" in response.content.decode()


def test_a_500_character_query_is_shortened_not_an_error(client, content):
    response = client.get("/search/", {"q": "knee " * 100})
    assert response.status_code == 200
    assert "we used the first 100 characters" in response.content.decode()


def test_odd_characters_do_not_break_search(client, content):
    for query in ["'; DROP TABLE x; --", "&&& ||| !!!", "ñandú 李雷", "(((", "a"]:
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
    # A NUL byte gets the polite 400 page, like a NUL anywhere in a query string.
    assert client.get("/search/", {"q": "knee\x00"}).status_code == 400


def test_search_results_escape_what_was_typed(client, content):
    response = client.get("/search/", {"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_saving_content_updates_the_index(django_capture_on_commit_callbacks, content):
    with django_capture_on_commit_callbacks(execute=True):
        TreatmentSection.objects.create(
            treatment=content["prp"], kind=TreatmentSection.Kind.RECOVERY, body="Rest the tendon."
        )
    assert SearchDocument.objects.filter(title="Recovery", context__startswith="Platelet").exists()
    with django_capture_on_commit_callbacks(execute=True):
        content["prp"].status = Treatment.Status.DRAFT
        content["prp"].save()
    assert not SearchDocument.objects.filter(treatment=content["prp"]).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN index is PostgreSQL only")
def test_postgres_has_a_gin_index_for_full_text_search(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_document_fts'")
        (definition,) = cursor.fetchone()
    assert "gin" in definition.lower() and "to_tsvector" in definition
