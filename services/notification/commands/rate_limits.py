"""Providers' rate limits counted in notification's database, so that replicas share them.

A deliverer asks for the windows of the sends it claimed for one account, in one transaction that
reads the account's windows from now on, adds its sends to them, and gives the messages it found no
window for back to the queue (their lease cleared). Two replicas taking the same window write the
same document: one transaction conflicts and is run again on the counts the other committed, so a
window never holds more than its limit.
"""

from __future__ import annotations

import math
from collections import Counter

from pymongo.errors import DuplicateKeyError

from services.notification import store
from services.notification.domain.rate import Windows, allot
from shared.db import Database, UnitOfWork

KEEP_WINDOWS = 120  # older windows of an account are removed as it sends again


async def reserve(database: Database, *, key: str, rate_per_s: float, message_ids: list[str],
                  owner: str, now: float) -> dict[str, float]:
    """When each message may be sent (machine time, seconds); the ones left out were put back in the queue."""
    windows = Windows.of(rate_per_s)
    key = f"{key}:{windows.length_s:g}s"

    async def work(uow: UnitOfWork) -> dict[str, float]:
        counts = uow.db[store.RATE_WINDOWS]
        lowest = math.floor(now / windows.length_s)
        taken = {d["window"]: d["count"] async for d in counts.find(
            {"key": key, "window": {"$gte": lowest}}, {"window": 1, "count": 1}, session=uow.session)}
        slots = allot(windows, now=now, wanted=len(message_ids), taken=taken)
        for window, n in sorted(Counter(slots).items()):
            await counts.update_one({"_id": f"{key}:{window}"},
                                    {"$inc": {"count": n}, "$setOnInsert": {"key": key, "window": window}},
                                    upsert=True, session=uow.session)
        if left := message_ids[len(slots):]:
            await uow.db[store.MESSAGES].update_many({"_id": {"$in": left}, "lease_owner": owner},
                                                     {"$set": {"lease_until": None}}, session=uow.session)
        await counts.delete_many({"key": key, "window": {"$lt": lowest - KEEP_WINDOWS}}, session=uow.session)
        return {m: max(now, windows.start(w)) for m, w in zip(message_ids, slots, strict=False)}

    for _ in range(4):
        try:
            return await database.transaction(work)
        except DuplicateKeyError:  # two first sends of a window inserted it at once: count again
            continue
    return await database.transaction(work)
