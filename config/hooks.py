"""Named slots through which a higher app acts inside a lower app's service, without an upward import.

A lower app declares its slots (`HookSlots("applications", [...])`) in its own `hooks` module and calls them; the
higher app that owns the work registers a function per slot in its AppConfig.ready(). A slot is called inside the
caller's transaction, so a refusal raised by it rolls the whole step back. A slot nobody filled is a
configuration error at the first call, never a silent no-op.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ImproperlyConfigured


class HookSlots:
    def __init__(self, owner: str, slots: Iterable[str]) -> None:
        self.owner = owner
        self.slots = tuple(slots)
        self._registry: dict[str, Callable[..., Any]] = {}

    def register(self, slot: str, function: Callable[..., Any]) -> None:
        if slot not in self.slots:
            raise ImproperlyConfigured(f"{self.owner} has no hook {slot!r}")
        self._registry[slot] = function

    def call(self, slot: str, *args: Any, **kwargs: Any) -> Any:
        try:
            function = self._registry[slot]
        except KeyError:
            raise ImproperlyConfigured(
                f"{self.owner} hook {slot!r} is not registered (INSTALLED_APPS?)"
            ) from None
        return function(*args, **kwargs)
