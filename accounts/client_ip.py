"""The client's address, one rule for the whole product: the access log, the login lockout (django-axes) and the
anonymous API throttle all call `client_ip`.

Behind TRUSTED_PROXY_COUNT proxies (0: the app faces clients directly), each proxy appends the address it saw to
X-Forwarded-For, so the client is the entry that many places from the right; whatever a client writes into the
header itself stands further left and is never read. Anything that is not an IP address falls back to
REMOTE_ADDR.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if trusted <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < trusted:
        return remote
    candidate = hops[-trusted]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
