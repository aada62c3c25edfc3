from django.shortcuts import render

from .query import MAX_QUERY_LENGTH, search


def search_page(request):
    raw_query = request.GET.get("q", "")
    results = search(raw_query) if raw_query.strip() else None
    return render(
        request,
        "search/results.html",
        {"raw_query": raw_query, "results": results, "max_length": MAX_QUERY_LENGTH},
    )
