"""The search vector, shared by the query and the PostgreSQL GIN index so they match."""

from django.contrib.postgres.search import SearchVector

# PostgreSQL's text search configurations: stemming and stop words per language.
CONFIGS = {"en": "english", "es": "spanish"}


def config_for(language: str) -> str:
    return CONFIGS.get(language, "simple")


def document_vector(config: str = "english"):
    return SearchVector("title", weight="A", config=config) + SearchVector(
        "context", "body", weight="B", config=config
    )
