"""The throttles' cache: Redis (shared by every worker) when it answers, this process's memory when it does not.

With Redis down the API keeps answering what does not need Redis (issue 20 item 5): a throttle then counts in
process memory, at the same rate per worker process, instead of failing the request with a 500. The first failure
is logged; the shared cache is tried again on every call, so counting returns to Redis as soon as it is back.
"""

from __future__ import annotations

import logging

from django.core.cache import cache as shared
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger("jiekun.cache")
_local = LocMemCache("jiekun-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})
_warned = {"down": False}


def _fallback(exc: Exception):
    if not _warned["down"]:
        logger.error("shared cache unavailable, throttling in process memory: %s", exc)
        _warned["down"] = True
    return _local


class FallbackCache:
    """The subset of the cache API the throttles use: get, set, add, incr."""

    def _call(self, name: str, *args, **kwargs):
        try:
            result = getattr(shared, name)(*args, **kwargs)
        except ValueError:  # incr of a missing key: the caller's signal, not an outage
            raise
        except Exception as exc:  # noqa: BLE001 — any transport error (ConnectionError, TimeoutError, OSError)
            return getattr(_fallback(exc), name)(*args, **kwargs)
        _warned["down"] = False
        return result

    def get(self, key, default=None):
        return self._call("get", key, default)

    def set(self, key, value, timeout=None):
        return self._call("set", key, value, timeout)

    def add(self, key, value, timeout=None):
        return self._call("add", key, value, timeout)

    def incr(self, key, delta=1):
        return self._call("incr", key, delta)


throttle_cache = FallbackCache()
