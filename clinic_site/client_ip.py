"""The client's IP address, trusting X-Forwarded-For only as far as our own proxies."""

from django.conf import settings


def get_client_ip(request) -> str:
    """REMOTE_ADDR, or the address our N trusted proxies saw, counted from the right.

    With TRUSTED_PROXY_COUNT = 0 (the default) X-Forwarded-For is ignored, so a forged header
    cannot change who the rate limit counts.
    """
    trusted = settings.TRUSTED_PROXY_COUNT
    remote_addr = request.META.get("REMOTE_ADDR", "")
    if trusted <= 0:
        return remote_addr
    forwarded = [
        hop.strip()
        for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if hop.strip()
    ]
    # Each trusted proxy appended the address it saw; the last `trusted` entries are theirs.
    if len(forwarded) >= trusted:
        return forwarded[-trusted]
    return remote_addr
