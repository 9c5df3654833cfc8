"""The client's real address, read from the proxies the council trusts.

Behind a load balancer every request comes from the balancer's address; each trusted proxy
appends the address it received the request from to X-Forwarded-For. With TRUSTED_PROXY_COUNT
set to the number of proxies in front of the app, the client is the entry the outermost trusted
proxy appended: counted from the right, so anything a client wrote into the header itself (to
the left) is never believed. A request that did not pass through that many proxies is taken at
its connection's own address.

Why not django-ipware's own settings (which django-axes reads): its proxy count counts the
header's entries rather than the proxies, and among the candidates it prefers a publicly
routable address, so a client that prepends a public address to the header chooses its own
lock-out bucket. This rule is the whole of what CouncilFlow needs, and tested on its own."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if not proxies:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in (part.strip() for part in forwarded.split(",")) if hop]
    # hops[-1] was appended by the proxy next to the app, hops[-proxies] by the outermost one.
    if len(hops) < proxies:
        return remote
    return _valid(hops[-proxies]) or remote
