"""Rebuilding the read models from the archive into fresh collections, while the live path keeps consuming.

1. The rebuild's state says `building`: from then on each live batch also moves the `__rebuild`
   collections and marks its archived events as applied to this rebuild.
2. The rebuild walks the archive in id order and applies, chunk by chunk (each in one transaction),
   every event not marked yet, marking it. Then it sweeps again for events archived by batches that
   began before step 1, until a sweep finds none after the settling time.
3. `ready`: both sets of collections are moved by every batch; they can be compared figure for figure.
4. The swap names the rebuilt set live, in the one write that ends the rebuild: nothing is copied or
   renamed, so the database is not held however large the read models are. The set that was live
   stays as it was (the previous figures) until the next rebuild drops it and fills it afresh.
Because a case's figures are a function of its set of events, applying an event to the rebuild by
either path (never both: the mark) gives the same figures in any order. The dashboards' live board is
one of the read models: its rules order a work order's or a ticket's events by their time and move the
open counts by the difference a change makes, so it too comes out the same in any order.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog

from services.reporting import store
from services.reporting.commands import live_board
from services.reporting.commands.apply import apply
from services.reporting.store import dashboard_board, rebuilds
from shared.db import Database, UnitOfWork
from shared.envelope import Envelope, new_id, utcnow
from shared.errors import Conflict
from shared.events import parts_of

log = structlog.get_logger(__name__)
CHUNK = 200  # events per transaction of the rebuild
SETTLE_S = 2.0  # a batch that read "no rebuild" has committed well within this
STALE_AFTER_S = 60.0
_workers: set[asyncio.Task] = set()


async def start(database: Database, *, swap_when_ready: bool, settle_s: float = SETTLE_S) -> dict[str, Any]:
    """Begin a rebuild in the background; 409 while another one is working."""
    state = await rebuilds.current(database)
    now = utcnow()
    if state and state.get("state") in rebuilds.RUNNING and not (
            state.get("state") == "building" and rebuilds.is_stale(state, now, stale_after_s=STALE_AFTER_S)):
        raise Conflict("a rebuild is already running", field="rebuild", rebuild_id=state["rebuild_id"])
    live = rebuilds.live_of(state or {})
    for name in (*store.READ_MODELS, *dashboard_board.COLLECTIONS):
        await database.db.drop_collection(live.other(name))
    await store.ensure_read_model_indexes(database, live.other)
    await dashboard_board.ensure_board_indexes(database, live.other)
    rebuild_id = new_id()
    begun = {"rebuild_id": rebuild_id, "state": "building", "swap_when_ready": swap_when_ready,
             "started_at": now, "heartbeat_at": now, "applied": 0, "finished_at": None, "live": live.suffix}
    await rebuilds.begin(database, begun)
    worker = asyncio.create_task(_run(database, rebuild_id, target=live.other, swap_when_ready=swap_when_ready,
                                      settle_s=settle_s),
                                 name=f"rebuild {rebuild_id}")
    _workers.add(worker)
    worker.add_done_callback(_workers.discard)
    return begun


async def _run(database: Database, rebuild_id: str, *, target: store.Target, swap_when_ready: bool,
               settle_s: float) -> None:
    try:
        applied = await _walk(database, rebuild_id, target=target, sweep=False)
        started = asyncio.get_running_loop().time()
        while True:  # the sweeps: events of batches that began before the rebuild did
            found = await _walk(database, rebuild_id, target=target, sweep=True)
            applied += found
            if found == 0 and asyncio.get_running_loop().time() - started >= settle_s:
                break
            await asyncio.sleep(0.2)
        await dashboard_board.board_for_every_estate(database, target)  # estates without an event archived
        await rebuilds.update(database, rebuild_id, state="ready", applied=applied, heartbeat_at=utcnow())
        log.info("read-model rebuild ready", rebuild_id=rebuild_id, applied=applied)
        if swap_when_ready:
            await swap(database, rebuild_id)
    except asyncio.CancelledError:
        raise
    except Exception as error:  # reported in the rebuild's state; the live collections are untouched
        log.error("read-model rebuild failed", rebuild_id=rebuild_id, error=repr(error))
        with contextlib.suppress(Exception):
            await rebuilds.update(database, rebuild_id, state="failed", error=repr(error)[:500], finished_at=utcnow())


async def _walk(database: Database, rebuild_id: str, *, target: store.Target, sweep: bool) -> int:
    """Apply every archived event not yet applied to the rebuild; the number applied."""
    after: str | None = None
    total = 0
    while True:
        async def chunk(uow: UnitOfWork, after: str | None = None if sweep else after) -> tuple[int, str | None]:
            documents = await rebuilds.not_applied(uow, rebuild_id, after=after, limit=CHUNK)
            if not documents:
                return 0, None
            # A carrier is archived whole; its events are applied one by one, as the live path does.
            envelopes = [part for d in documents for part in parts_of(Envelope.model_validate(d["envelope"]))]
            zones = await store.time_zones(uow, {e.estateid for e in envelopes})
            await apply(uow, envelopes, zones=zones, target=target)
            await live_board.apply(uow, envelopes, target=target)
            await rebuilds.mark_applied(uow, rebuild_id, ids=[d["_id"] for d in documents])
            return len(documents), documents[-1]["_id"]

        count, last = await database.transaction(chunk)
        if count == 0:
            return total
        total, after = total + count, last
        await rebuilds.update(database, rebuild_id, applied_so_far=total, heartbeat_at=utcnow())


async def swap(database: Database, rebuild_id: str) -> None:
    """The rebuilt set becomes the live one (the one that was live is kept until the next rebuild)."""
    state = await rebuilds.current(database)
    if not state or state.get("rebuild_id") != rebuild_id or state.get("state") != "ready":
        raise Conflict("only a rebuild that is ready can be swapped in", field="rebuild")
    if not await rebuilds.swap_in(database, rebuild_id, live=rebuilds.live_of(state).other, finished_at=utcnow()):
        raise Conflict("only a rebuild that is ready can be swapped in", field="rebuild")
    store.forget_live(database)
    log.info("read-model rebuild swapped in", rebuild_id=rebuild_id)
