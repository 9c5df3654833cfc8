"""Who is asking: a client application named by its api_key (a form field of a POST, a query
parameter of a GET, as FixMyStreet sends it), and how often it may ask."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions, permissions, throttling

from open311 import services
from open311.models import Client


class APIKeyAuthentication(authentication.BaseAuthentication):
    """A request with an api_key is its client's, or refused with 403 if the key is wrong or
    revoked. One without a key is anonymous: it may read only what the spec makes public."""

    def authenticate(self, request):
        key = request.query_params.get("api_key", "")
        if not key and request.method == "POST":
            key = request.data.get("api_key", "") if hasattr(request.data, "get") else ""
        if not key:
            return None
        client = services.client_for_key(str(key))
        if client is None:
            raise exceptions.AuthenticationFailed("api_key is wrong, or has been revoked.")
        services.client_note_use(client)
        return (AnonymousUser(), client)

    def authenticate_header(self, request):
        return None  # no WWW-Authenticate challenge: a refused key is a 403, as the spec says


class HasClientKey(permissions.BasePermission):
    message = "api_key is required: ask the council for one."

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, Client)


class ClientRateThrottle(throttling.SimpleRateThrottle):
    """Requests per key (OPEN311_RATE_LIMIT, e.g. "300/min"); keyless reads per address."""

    def get_rate(self) -> str:
        return settings.OPEN311_RATE_LIMIT

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, Client):
            return f"open311-client-{request.auth.pk}"
        return f"open311-address-{self.get_ident(request)}"
