"""Gapless sequences (ticket, work-order, receipt numbers) incremented inside the transaction.

A number taken by an aborted transaction is given back, so sequences have no gaps. The first
number a transaction takes increments the counter document, which holds it until the commit;
further numbers of the same transaction (a group commit of many tickets) are counted in the
unit of work and written once when it commits. No `find_one_and_update`: SecantusDB answers
it by scanning the collection, and racing upserts through it can answer nothing.
"""

from __future__ import annotations

from shared.db import COUNTERS, HeldCounter, UnitOfWork


async def next_value(uow: UnitOfWork, counter_id: str) -> int:
    held = uow.counters.get(counter_id)
    if held is not None:
        held.value += 1
        held.unwritten += 1
        return held.value
    counters = uow.db[COUNTERS]
    increment = {"$inc": {"value": 1}}
    if (await counters.update_one({"_id": counter_id}, increment, session=uow.session)).matched_count == 0:
        await counters.update_one({"_id": counter_id}, {"$setOnInsert": {"value": 0}}, upsert=True, session=uow.session)
        await counters.update_one({"_id": counter_id}, increment, session=uow.session)
    counter = await counters.find_one({"_id": counter_id}, session=uow.session)
    uow.counters[counter_id] = HeldCounter(counter["value"])
    return counter["value"]
