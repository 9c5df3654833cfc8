"""Who is asking: a client application named by its api_key (a form field of a POST, a query
parameter of a GET, as FixMyStreet sends it), and how often it may ask."""

import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from rest_framework import authentication, exceptions, permissions, throttling

from lib.addresses import client_address
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


PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "300/min" -> (300, 60), as DRF reads its rates (the period's first letter counts)."""
    count, period = rate.split("/")
    return int(count), PERIODS[period[0]]


class ClientRateThrottle(throttling.BaseThrottle):
    """Requests per key (OPEN311_RATE_LIMIT, e.g. "300/min"); keyless reads per address. A
    count per fixed window in the cache (one increment a request, whatever the rate: DRF's own
    throttle keeps every request's time, which grows with the rate allowed)."""

    def allow_request(self, request, view) -> bool:
        limit, period = parse_rate(settings.OPEN311_RATE_LIMIT)
        now = time.time()
        window = int(now // period)
        # A keyless read is counted by the client's address, read from the trusted proxies.
        who = request.auth.pk if isinstance(request.auth, Client) else client_address(request)
        key = f"open311-rate-{'client' if isinstance(request.auth, Client) else 'address'}-{who}"
        key = f"{key}-{window}"
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls: a new window
            cache.set(key, 1, timeout=period + 1)
            count = 1
        self.wait_seconds = (window + 1) * period - now
        return count <= limit

    def wait(self) -> float:
        return max(self.wait_seconds, 1)
