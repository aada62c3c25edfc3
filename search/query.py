"""Site search: PostgreSQL full-text search, with a simpler fallback on SQLite."""

import difflib
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.utils.translation import get_language

from .models import SearchDocument

MAX_QUERY_LENGTH = 100
MAX_RESULTS = 20
WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass
class SearchResults:
    query: str
    documents: list = field(default_factory=list)
    corrected_query: str = ""
    was_shortened: bool = False

    @property
    def count(self) -> int:
        return len(self.documents)


def clean_query(raw: str) -> tuple[str, bool]:
    """Collapse whitespace and cap the length; say whether the query was cut."""
    # Control characters (a NUL byte above all) mean nothing in a search and upset PostgreSQL.
    printable = "".join(char if char.isprintable() else " " for char in raw or "")
    query = " ".join(printable.split())
    if len(query) > MAX_QUERY_LENGTH:
        return query[:MAX_QUERY_LENGTH].rsplit(" ", 1)[0], True
    return query, False


def search(raw_query: str) -> SearchResults:
    query, was_shortened = clean_query(raw_query)
    results = SearchResults(query=query, was_shortened=was_shortened)
    if not WORD.search(query):
        return results
    results.documents = _run(query)
    if not results.documents:
        corrected = suggest_correction(query)
        if corrected and corrected != query.lower():
            results.documents = _run(corrected)
            if results.documents:
                results.corrected_query = corrected
    return results


def page_language() -> str:
    return (get_language() or "en").split("-")[0]


def _run(query: str) -> list[SearchDocument]:
    documents = SearchDocument.objects.visible(page_language())
    if connection.vendor == "postgresql":
        return _postgres(documents, query)
    return _fallback(documents, query)


def _postgres(documents, query: str) -> list[SearchDocument]:
    from django.contrib.postgres.search import SearchQuery, SearchRank

    from .vectors import config_for, document_vector

    config = config_for(page_language())
    search_query = SearchQuery(query, search_type="websearch", config=config)
    return list(
        documents.annotate(rank=SearchRank(document_vector(config), search_query))
        .filter(rank__gt=0)
        .order_by("-rank", "-weight", "title")[:MAX_RESULTS]
    )


def _fallback(documents, query: str) -> list[SearchDocument]:
    """Every word must appear; title matches rank above body matches."""
    words = [word.lower() for word in WORD.findall(query)]
    condition = Q()
    for word in words:
        condition &= Q(title__icontains=word) | Q(body__icontains=word)
    matches = list(documents.filter(condition)[:200])

    def score(document):
        title = document.title.lower()
        return (sum(2 for word in words if word in title) + document.weight, -len(title))

    return sorted(matches, key=score, reverse=True)[:MAX_RESULTS]


def vocabulary() -> set[str]:
    words = set()
    documents = SearchDocument.objects.visible(page_language())
    for title, body in documents.values_list("title", "body"):
        words.update(word.lower() for word in WORD.findall(f"{title} {body}") if len(word) > 1)
    return words


def suggest_correction(query: str) -> str:
    """Fix run-together words ("stemcell") and near misspellings ("osteoarthritus")."""
    known = vocabulary()
    if not known:
        return ""
    corrected = []
    for word in (word.lower() for word in WORD.findall(query)):
        if word in known:
            corrected.append(word)
            continue
        split = _split_compound(word, known)
        if split:
            corrected.append(split)
            continue
        close = difflib.get_close_matches(word, known, n=1, cutoff=0.8)
        corrected.append(close[0] if close else word)
    return " ".join(corrected)


def _split_compound(word: str, known: set[str]) -> str:
    for cut in range(2, len(word) - 1):
        head, tail = word[:cut], word[cut:]
        if head in known and tail in known:
            return f"{head} {tail}"
    return ""
