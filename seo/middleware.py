from django.http import HttpResponsePermanentRedirect

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
