from django.shortcuts import render

from .query import MAX_QUERY_LENGTH, search


def search_page(request):
    raw_query = request.GET.get("q")
    # No q at all: a fresh search page; an empty q: the patient pressed Search with nothing typed.
    results = search(raw_query) if raw_query is not None else None
    return render(
        request,
        "search/results.html",
        {"raw_query": raw_query or "", "results": results, "max_length": MAX_QUERY_LENGTH},
    )
