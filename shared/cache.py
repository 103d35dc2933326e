"""A per-process, short-lived copy of documents read on hot paths (estates, settings, rosters).

A process drops its copy when it changes the document itself, or when an event tells it of a
change; other replicas see a change made elsewhere within the time to live (the setting
`read_cache_ttl_s`, applied to every cache of the process by `configure`). Use it only for data
where that much staleness is harmless.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
_ABSENT = object()  # a remembered "there is no such document"


class TtlCache(Generic[T]):
    """`ttl_s=None`: the process-wide time to live (`configure`). `remember_missing`: an absent
    document (the loader answers None) is kept as absent, for settings that most estates never set."""

    default_ttl_s = 5.0

    def __init__(self, ttl_s: float | None = None, max_entries: int = 10_000, *, remember_missing: bool = False) -> None:
        self._ttl_s, self.max_entries, self.remember_missing = ttl_s, max_entries, remember_missing
        self._entries: dict[str, tuple[float, object]] = {}

    @property
    def ttl_s(self) -> float:
        return TtlCache.default_ttl_s if self._ttl_s is None else self._ttl_s

    async def get(self, key: str, load: Callable[[], Awaitable[T | None]]) -> T | None:
        entry = self._entries.get(key)
        if entry is not None and entry[0] > time.monotonic():
            return None if entry[1] is _ABSENT else entry[1]  # type: ignore[return-value]
        value = await load()
        if value is None and not self.remember_missing:  # not there (yet): ask again next time
            return value
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.ttl_s, _ABSENT if value is None else value)
        return value

    async def get_many(self, keys: list[str], load: Callable[[list[str]], Awaitable[dict[str, T]]]) -> dict[str, T]:
        """`get` for many keys at once: the missing or expired ones loaded together (one query)."""
        now, result, missing = time.monotonic(), {}, []
        for key in keys:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now and entry[1] is not _ABSENT:
                result[key] = entry[1]
            else:
                missing.append(key)
        if missing:
            loaded = await load(missing)
            if len(self._entries) + len(loaded) >= self.max_entries:
                self._entries.clear()
            expires = time.monotonic() + self.ttl_s
            for key, value in loaded.items():
                self._entries[key] = (expires, value)
            result.update(loaded)
        return result  # type: ignore[return-value]

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)

    def forget_where(self, matches: Callable[[str], bool]) -> None:
        for key in [k for k in self._entries if matches(k)]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()


def configure(ttl_s: float) -> None:
    """The time to live of every cache that has no fixed one (from the service's settings)."""
    TtlCache.default_ttl_s = ttl_s
