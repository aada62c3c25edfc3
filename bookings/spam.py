"""Spam defences without third parties: a signed one-time form token and a shared rate limit
(counted per worker while the shared cache is down)."""

import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache as default_cache
from django.core.cache.backends.locmem import LocMemCache
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)

TOKEN_SALT = "bookings.consultation-form"


@dataclass(frozen=True)
class FormToken:
    nonce: str
    issued_at: float

    def filled_too_fast(self, now: float | None = None) -> bool:
        elapsed = (now if now is not None else time.time()) - self.issued_at
        return elapsed < settings.BOOKINGS_MIN_FILL_SECONDS


def issue_form_token(issued_at: float | None = None) -> str:
    """A signed token naming this form and when it was shown; its nonce makes it one-time."""
    payload = {
        "n": secrets.token_urlsafe(16),
        "t": issued_at if issued_at is not None else time.time(),
    }
    return signing.dumps(payload, salt=TOKEN_SALT)


def read_form_token(value: str | None) -> FormToken | None:
    """The token's contents, or None when it is missing, forged or malformed."""
    if not value or len(value) > 200:
        return None
    try:
        payload = signing.loads(value, salt=TOKEN_SALT)
        return FormToken(nonce=str(payload["n"]), issued_at=float(payload["t"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class RateLimitResult:
    count: int
    limit: int
    keep: int
    # False when the shared cache failed and this worker counted on its own.
    shared: bool = True

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    @property
    def kept_for_review(self) -> bool:
        """Over the limit but still stored, so a real patient behind a busy network is not lost.

        While the shared count is down every request is stored: one worker's count cannot tell
        a flood from a busy office, so it only holds back the patient's acknowledgement.
        """
        return not self.allowed and (not self.shared or self.count <= self.limit + self.keep)


# While the shared cache is down each worker counts in its own memory instead: small and
# bounded (old entries are dropped when full), so the acknowledgement email stays limited.
WORKER_FALLBACK_CACHE = LocMemCache(
    "bookings-rate-limit-fallback", {"OPTIONS": {"MAX_ENTRIES": 2000, "CULL_FREQUENCY": 4}}
)


class RateLimiter:
    """A fixed-window counter per client in a cache every gunicorn worker shares.

    Each hit claims the next free numbered slot with cache.add(), which is atomic in the
    database and Redis backends, so two workers can never claim the same slot.
    """

    def __init__(self, cache=None, *, limit=None, window=None, keep=None):
        self.cache = cache or default_cache
        self.limit = limit if limit is not None else settings.BOOKINGS_RATE_LIMIT
        self.window = window if window is not None else settings.BOOKINGS_RATE_LIMIT_WINDOW
        self.keep = keep if keep is not None else settings.BOOKINGS_RATE_LIMIT_KEEP

    def _prefix(self, client_ip: str, now: float) -> str:
        # A keyed hash: the cache never holds the address itself.
        client = salted_hmac("bookings.rate-limit", client_ip).hexdigest()[:32]
        return f"bookings:rl:{client}:{int(now // self.window)}"

    def hit(self, client_ip: str, now: float | None = None) -> RateLimitResult:
        """Count one submission from this client and say whether it is within the limit."""
        prefix = self._prefix(client_ip, now if now is not None else time.time())
        try:
            return self._result(self._claim_slot(self.cache, prefix), shared=True)
        except Exception:  # any cache backend's error: Redis down, a locked table
            logger.warning(
                "Cache unavailable, so this worker counts the rate limit on its own",
                exc_info=True,
            )
            return self._result(self._claim_slot(WORKER_FALLBACK_CACHE, prefix), shared=False)

    def _claim_slot(self, cache, prefix: str) -> int:
        """The number of the slot this hit claims; one past the last when all are taken."""
        slots = self.limit + self.keep
        keys = [f"{prefix}:{n}" for n in range(1, slots + 1)]
        taken = cache.get_many(keys)
        for n, key in enumerate(keys, start=1):
            if key not in taken and cache.add(key, 1, timeout=self.window + 5):
                return n
        return slots + 1

    def _result(self, count: int, *, shared: bool) -> RateLimitResult:
        return RateLimitResult(count=count, limit=self.limit, keep=self.keep, shared=shared)
