from django.http import HttpResponsePermanentRedirect
from django.utils.functional import SimpleLazyObject

from .meta import BUILDERS
from .redirects import find_redirect


class RedirectFallbackMiddleware:
    """Answer a 404 with a 301 when the path is a stored old address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        new_path = find_redirect(request.path)
        if new_path is None:
            return response
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{new_path}?{query}" if query else new_path)


class PageMetaMiddleware:
    """Add what search engines and link previews see (`meta`) to the public pages' context.

    Here rather than in the views, so the pages app knows nothing of seo: seo reads the
    objects a page shows from its TemplateResponse before it is rendered.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        match = request.resolver_match
        build = BUILDERS.get(match.view_name) if match else None
        if build is not None and response.context_data is not None:
            context = response.context_data
            # Built when the template first reads it, inside the render: a database error
            # there reaches the same error handling as one in the view (the 503 page).
            context["meta"] = SimpleLazyObject(lambda: build(context))
        return response
