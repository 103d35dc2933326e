"""The SLA scheduler: fires each due timer exactly once, whatever runs and whatever restarts.

Timers are durable documents filed in 5-second buckets. Every replica reads the buckets from
where the scanning left off (a cursor in the database, so deadlines that passed while every
replica was down are fired on start, marked late) up to now, by equality on the indexed
bucket — never a range scan of the open orders. Firing claims the timer with a conditional
point update in the same transaction as the events it publishes: one replica wins.
"""

from __future__ import annotations

from typing import Any

import structlog
from prometheus_client import Counter, Histogram

from services.dispatch import store
from services.dispatch.commands import clock
from services.dispatch.domain import sla
from services.dispatch.settings import DispatchSettings
from shared.db import Database
from shared.envelope import utcnow
from shared.periodic import PeriodicJob

log = structlog.get_logger(__name__)
STATE_ID = "sla-scheduler"
# Beyond this many buckets behind (10 minutes), one query catches up instead of one per bucket.
CATCH_UP_BUCKETS = 120
FIRE_BATCH = 100  # timers fired per transaction
# The cursor stays this far behind now: a timer filed by a transaction that committed late
# (after its bucket was scanned) is still found on a later pass.
GRACE_BUCKETS = 6
FIRED = Counter("sla_timers_fired_total", "SLA timers fired", ["kind"])
FIRE_LAG = Histogram("sla_fire_lag_seconds", "From a timer's due time to its firing",
                     buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30, 300))


async def ensure_cursor(database: Database) -> None:
    await database.transaction(lambda uow: uow.db[store.SCHEDULER_STATE].update_one(
        {"_id": STATE_ID}, {"$setOnInsert": {"next_bucket": sla.bucket_of(utcnow())}}, upsert=True,
        session=uow.session))


async def due_timers(database: Database, now) -> tuple[list[dict[str, Any]], int, int]:
    """What is due, the current bucket and the cursor's: one query for the buckets from the cursor to now."""
    timers_collection = database.db[store.SLA_TIMERS]
    state = await database.db[store.SCHEDULER_STATE].find_one({"_id": STATE_ID})
    current = sla.bucket_of(now)
    first = state["next_bucket"] if state else current
    if current - first > CATCH_UP_BUCKETS:
        query: dict[str, Any] = {"bucket": {"$lte": current}, "fired_at": None}
    else:  # each bucket a point lookup on the index, all in one round trip
        query = {"bucket": {"$in": list(range(first, current + 1))}, "fired_at": None}
    timers = await timers_collection.find(query).to_list(None)
    return sorted((t for t in timers if t["due_at"] <= now), key=lambda t: t["due_at"]), current, first


async def _fire_batch(database: Database, timers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    async def work(uow) -> list[dict[str, Any]]:
        return [timer for timer in timers if await clock.fire(uow, timer)]

    return await database.transaction(work)


async def fire_due_timers(database: Database) -> int:
    """One pass: fire what is due, a batch per transaction, then move the cursor to the current bucket."""
    now = utcnow()
    timers, current, cursor = await due_timers(database, now)
    fired, failures = [], 0
    for start in range(0, len(timers), FIRE_BATCH):
        batch = timers[start:start + FIRE_BATCH]
        try:
            fired += await _fire_batch(database, batch)
        except Exception as error:  # one bad timer must not hold up the others: fire them one by one
            log.warning("sla batch failed; firing one by one", error=repr(error))
            for timer in batch:
                try:
                    fired += await _fire_batch(database, [timer])
                except Exception as single_error:
                    failures += 1
                    log.error("sla timer failed", timer_id=timer["_id"], error=repr(single_error))
    for timer in fired:
        FIRED.labels(timer["kind"]).inc()
        FIRE_LAG.observe((utcnow() - timer["due_at"]).total_seconds())
    # A failed timer keeps the cursor where it is, so it is tried again; it moves once per bucket.
    if not failures and current - GRACE_BUCKETS > cursor:
        await database.transaction(lambda uow: uow.db[store.SCHEDULER_STATE].update_one(
            {"_id": STATE_ID}, {"$max": {"next_bucket": current - GRACE_BUCKETS}}, session=uow.session))
    return len(fired)


# The database away for a moment: the timers wait, nothing is lost.
run_sla_scheduler = PeriodicJob[DispatchSettings](
    name="sla scheduler", prepare=ensure_cursor, run_pass=lambda database, settings: fire_due_timers(database),
    interval_s=lambda settings: settings.sla_tick_s,
)
