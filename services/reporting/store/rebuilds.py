"""The state of a read-model rebuild (one at a time), and the archive's marks of what it has applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.reporting.store import CURRENT_REBUILD, EVENTS, FIRST, REBUILDS, Target
from shared.db import Database, UnitOfWork

APPLIED_TO = "rebuild_id"  # on an archived event: the rebuild whose collections it has moved
RUNNING = ("building", "ready")


@dataclass(frozen=True)
class Slots:
    """What a live batch moves: the live set of read models, and the rebuild's set while one runs."""

    live: Target
    rebuild_id: str | None

    @property
    def rebuilding(self) -> Target | None:
        return self.live.other if self.rebuild_id is not None else None


async def slots(uow: UnitOfWork) -> Slots:
    """Read once per batch, in its transaction. A batch that sees a rebuild `ready` moves both sets, so
    whichever is live after a swap committed meanwhile has it; the swap names the new live set and ends
    the rebuild in one write, so a batch that sees it done moves the new set only."""
    state = await uow.db[REBUILDS].find_one({"_id": CURRENT_REBUILD}, session=uow.session) or {}
    return Slots(live=live_of(state), rebuild_id=state["rebuild_id"] if state.get("state") in RUNNING else None)


def live_of(state: dict[str, Any]) -> Target:
    return Target(state.get("live", FIRST.suffix))


async def current(database: Database) -> dict[str, Any] | None:
    return await database.db[REBUILDS].find_one({"_id": CURRENT_REBUILD})


async def begin(database: Database, state: dict[str, Any]) -> None:
    await database.db[REBUILDS].replace_one({"_id": CURRENT_REBUILD}, {"_id": CURRENT_REBUILD, **state}, upsert=True)


async def swap_in(database: Database, rebuild_id: str, *, live: Target, finished_at: datetime) -> bool:
    """The rebuild's set becomes the live one, if the rebuild is (still) ready."""
    result = await database.db[REBUILDS].update_one(
        {"_id": CURRENT_REBUILD, "rebuild_id": rebuild_id, "state": "ready"},
        {"$set": {"state": "done", "live": live.suffix, "finished_at": finished_at}})
    return result.modified_count == 1


async def update(database: Database, rebuild_id: str, **changes: Any) -> None:
    await database.db[REBUILDS].update_one({"_id": CURRENT_REBUILD, "rebuild_id": rebuild_id}, {"$set": changes})


async def not_applied(uow: UnitOfWork, rebuild_id: str, *, after: str | None, limit: int) -> list[dict[str, Any]]:
    """The next archived events, in id order, that the rebuild has not applied yet."""
    query: dict[str, Any] = {APPLIED_TO: {"$ne": rebuild_id}}
    if after is not None:
        query["_id"] = {"$gt": after}
    return await uow.db[EVENTS].find(query, {"envelope": 1}, session=uow.session).sort("_id", 1).limit(
        limit).to_list(None)


async def mark_applied(uow: UnitOfWork, rebuild_id: str, *, ids: list[str]) -> None:
    await uow.db[EVENTS].update_many({"_id": {"$in": ids}}, {"$set": {APPLIED_TO: rebuild_id}}, session=uow.session)


def is_stale(state: dict[str, Any], now: datetime, *, stale_after_s: float) -> bool:
    """A rebuild whose worker stopped (its process went away) may be started afresh."""
    beat = state.get("heartbeat_at")
    if beat is None:
        return True
    if beat.tzinfo is None:
        from datetime import UTC
        beat = beat.replace(tzinfo=UTC)
    return (now - beat).total_seconds() > stale_after_s
