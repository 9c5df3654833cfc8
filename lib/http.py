"""Headers every page gets."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Every page Django answers holds, or may hold, personal data: a case, a citizen's words, a
    search, a list of contacts, an export. None may be kept by a browser's cache or a proxy, so
    each is sent `Cache-Control: no-store` (with Django's other never-cache headers), whatever
    the view set. Static files never reach this (whitenoise answers them first, with their long
    cache lifetimes)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
