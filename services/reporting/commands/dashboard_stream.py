"""Board versions for the dashboards' streams: one poller per process, whatever the number of screens.

Versions are read from the database (not from this process's consumer), so an event consumed by any
replica reaches a browser connected to any other. Every open stream of the process shares one read
of the versions of all the estates watched, every `interval_s`; the poller stops with the last stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from services.reporting.store import dashboard_board as store
from shared.db import Database


class VersionWatcher:
    def __init__(self, database: Database, interval_s: float) -> None:
        self.database, self.interval_s = database, interval_s
        self.versions: dict[str, int] = {}
        self.watchers: dict[int, tuple[list[str], asyncio.Event]] = {}
        self.poller: asyncio.Task | None = None

    async def watch(self, estate_ids: list[str], *, for_s: float) -> AsyncIterator[dict[str, int]]:
        """The versions of `estate_ids` at once, then each time one of them moves, for `for_s` seconds."""
        ends_at = time.monotonic() + for_s
        changed = asyncio.Event()
        key = id(changed)
        self.watchers[key] = (estate_ids, changed)
        try:
            current = await store.versions(self.database, estate_ids)
            self.versions.update(current)
            if self.poller is None or self.poller.done():
                self.poller = asyncio.create_task(self._poll(), name="dashboard versions")
            yield current
            while (left := ends_at - time.monotonic()) > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), timeout=left)
                changed.clear()
                latest = {estate_id: self.versions.get(estate_id, 0) for estate_id in estate_ids}
                if latest != current:
                    current = latest
                    yield current
        finally:
            del self.watchers[key]

    async def _poll(self) -> None:
        while self.watchers:
            await asyncio.sleep(self.interval_s)
            watched = sorted({i for ids, _ in self.watchers.values() for i in ids})
            with contextlib.suppress(Exception):  # a database that is away: the next round asks again
                latest = await store.versions(self.database, watched)
                moved = {i for i in watched if latest[i] != self.versions.get(i)}
                self.versions.update(latest)
                for ids, changed in list(self.watchers.values()):
                    if moved.intersection(ids):
                        changed.set()


_watchers: dict[int, VersionWatcher] = {}


def watcher(database: Database, interval_s: float) -> VersionWatcher:
    """The process's watcher of this database."""
    return _watchers.setdefault(id(database), VersionWatcher(database, interval_s))
