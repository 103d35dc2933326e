"""A per-process, short-lived copy of documents read on hot paths (estates, settings).

A process drops its copy when it changes the document itself; other replicas see a change
within the time to live. Use it only for data where a few seconds of staleness is harmless.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class TtlCache(Generic[T]):
    def __init__(self, ttl_s: float, max_entries: int = 10_000) -> None:
        self.ttl_s, self.max_entries = ttl_s, max_entries
        self._entries: dict[str, tuple[float, T]] = {}

    async def get(self, key: str, load: Callable[[], Awaitable[T | None]]) -> T | None:
        entry = self._entries.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        value = await load()
        if value is None:  # not there (yet): ask again next time
            return value
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.ttl_s, value)
        return value

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)
