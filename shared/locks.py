"""In-process locks by key: one transaction at a time per estate where they would conflict.

Numbers are gapless per estate and day, so every ticket or work order of an estate writes the
same counter document; concurrent transactions on it conflict and retry, which on a
one-request-at-a-time server degrades into a retry storm. Queuing them per estate inside the
process removes the conflicts (replicas can still conflict; the driver retries those).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class KeyedLocks:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # forget idle keys, so the table stays small
                del self._users[key]
                del self._locks[key]
