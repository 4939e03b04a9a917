"""The address a request comes from, the same for login lockouts and API rate limits."""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """``REMOTE_ADDR``, or behind ``PROXY_COUNT`` trusted proxies the address the outermost one saw.

    Each proxy appends the address it received the request from to ``X-Forwarded-For``, so with N proxies the
    client is the N-th entry from the right; anything further left was written by the client and is ignored.
    A request that did not pass every proxy (too few entries) or names no valid address counts as coming from
    ``REMOTE_ADDR``, so rotating the header never buys a client a fresh allowance.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote
