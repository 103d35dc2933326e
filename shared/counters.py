"""Gapless sequences (ticket, work-order, receipt numbers) incremented inside the transaction.

A number taken by an aborted transaction is given back, so sequences have no gaps. The
counter document is created by a plain upsert before the increment: racing
`find_one_and_update(upsert=True)` calls on a missing key can answer nothing on SecantusDB.
"""

from __future__ import annotations

from shared.db import UnitOfWork

COUNTERS = "counters"


async def next_value(uow: UnitOfWork, counter_id: str) -> int:
    counters = uow.db[COUNTERS]
    await counters.update_one({"_id": counter_id}, {"$setOnInsert": {"value": 0}}, upsert=True, session=uow.session)
    counter = await counters.find_one_and_update(
        {"_id": counter_id}, {"$inc": {"value": 1}}, return_document=True, session=uow.session
    )
    return counter["value"]
