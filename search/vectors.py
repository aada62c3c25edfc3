"""The search vector, shared by the query and the PostgreSQL GIN index so they match."""

from django.contrib.postgres.search import SearchVector


def document_vector():
    return SearchVector("title", weight="A", config="english") + SearchVector(
        "context", "body", weight="B", config="english"
    )
