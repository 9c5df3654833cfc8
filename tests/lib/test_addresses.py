"""The client's address behind trusted proxies: the entry the outermost trusted proxy appended,
never what the client wrote into X-Forwarded-For itself."""

import pytest
from django.test import RequestFactory

from lib.addresses import client_address

BALANCER = "10.0.0.1"


def _request(forwarded: str | None = None, remote: str = BALANCER):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        # No proxies trusted: the connection's address, whatever the header says.
        (0, None, BALANCER),
        (0, "203.0.113.5", BALANCER),
        # One load balancer: the address it appended, the right-most.
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "198.51.100.7, 203.0.113.5", "203.0.113.5"),  # a client's own entry ignored
        (1, " 203.0.113.5 ", "203.0.113.5"),
        (1, "2001:db8::5", "2001:db8::5"),
        # A CDN then a load balancer: the CDN appended the client, the balancer the CDN.
        (2, "203.0.113.5, 192.0.2.44", "203.0.113.5"),
        (2, "1.2.3.4, 203.0.113.5, 192.0.2.44", "203.0.113.5"),
        # Fewer entries than trusted proxies: it did not come through them.
        (1, None, BALANCER),
        (1, "", BALANCER),
        (2, "203.0.113.5", BALANCER),
        # Not an address at all.
        (1, "not-an-address", BALANCER),
        (1, "203.0.113.5, unknown", BALANCER),
    ],
)
def test_the_client_is_the_entry_the_outermost_trusted_proxy_appended(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(_request(forwarded)) == expected
