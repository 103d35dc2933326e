"""The live board's collections: open work orders and tickets, per-estate counters, per-day
counters and the timeline. Every read is one `$in` per collection, every write one per batch.

Like the other read models they live in two sets (`<name>` and `<name>__rebuild`, `Target`): the
rebuild fills the set that is not live and its swap names it live. Reads answer from the live set.
"""

from __future__ import annotations

from typing import Any

from dataclasses import dataclass, field
from datetime import date, timedelta

from pymongo import ASCENDING, DESCENDING, ReplaceOne, UpdateOne

from services.reporting.store import Target, live
from shared.db import Database, UnitOfWork

BOARD_ORDERS = "board_work_orders"
BOARD_TICKETS = "board_tickets"
# One per estate: name and time zone, open counts, `days.<local day>` calls, answers and breaches
# (the last few days only), and the version a browser's stream watches.
BOARD_ESTATES = "board_estates"
RECENT_DAYS = 2  # days kept on the board before the latest one an event counted
TIMELINE = "board_timeline"
ESTATES = "estates"
COLLECTIONS = (BOARD_ORDERS, BOARD_TICKETS, BOARD_ESTATES, TIMELINE)


async def ensure_indexes(database: Database) -> None:
    """At start: the live set's indexes, and a board for every estate in it."""
    target = await live(database)
    await ensure_board_indexes(database, target)
    await board_for_every_estate(database, target)


async def ensure_board_indexes(database: Database, target: Target) -> None:
    await database.db[target(BOARD_ORDERS)].create_index([("estate_id", ASCENDING), ("open", ASCENDING)])
    await database.db[target(TIMELINE)].create_index([("estate_id", ASCENDING), ("day", ASCENDING),
                                                      ("time", DESCENDING)])
    await database.db[target(BOARD_ESTATES)].create_index([("company_id", ASCENDING), ("estate_id", ASCENDING)])


async def board_for_every_estate(database: Database, target: Target) -> None:
    """Estates registered before the board existed (or whose registration the archive lacks) get
    theirs, so the overview lists them; a board without a name or time zone takes the estate's."""
    boards = {d["_id"]: d for d in await database.db[target(BOARD_ESTATES)].find(
        {}, {"name": 1, "time_zone": 1}).to_list(None)}
    writes = []
    for estate in await database.db[ESTATES].find({}).to_list(None):
        board = boards.get(estate["_id"])
        if board is None:
            writes.append(UpdateOne({"_id": estate["_id"]}, {"$setOnInsert": {
                "estate_id": estate["_id"], "company_id": estate.get("company_id"), "name": estate.get("name"),
                "time_zone": estate.get("time_zone"), "version": 0}}, upsert=True))
        elif details := {name: estate[name] for name in ("name", "time_zone") if not board.get(name) and estate.get(name)}:
            writes.append(UpdateOne({"_id": estate["_id"]}, {"$set": details}))
    if writes:
        # In a transaction: the live path writes the board in transactions.
        await database.transaction(lambda uow: uow.db[target(BOARD_ESTATES)].bulk_write(
            writes, ordered=False, session=uow.session))


async def _by_id(uow: UnitOfWork, collection: str, *, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    documents = await uow.db[collection].find({"_id": {"$in": sorted(ids)}}, session=uow.session).to_list(None)
    return {d["_id"]: d for d in documents}


async def work_orders(uow: UnitOfWork, ids: set[str], *, target: Target) -> dict[str, dict[str, Any]]:
    return await _by_id(uow, target(BOARD_ORDERS), ids=ids)


async def tickets(uow: UnitOfWork, ids: set[str], *, target: Target) -> dict[str, dict[str, Any]]:
    return await _by_id(uow, target(BOARD_TICKETS), ids=ids)


async def time_zones(uow: UnitOfWork, estate_ids: set[str]) -> dict[str, str]:
    found = await _by_id(uow, ESTATES, ids=estate_ids)
    return {estate_id: d.get("time_zone") for estate_id, d in found.items() if d.get("time_zone")}


async def save(uow: UnitOfWork, collection: str, *, documents: list[dict[str, Any]]) -> None:
    if documents:
        await uow.db[collection].bulk_write(
            [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in documents], ordered=False, session=uow.session)


@dataclass
class EstateChange:
    """What one batch does to an estate's board: one update."""

    estate_id: str
    company_id: str
    increments: dict[str, int] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)  # name and time zone, from its registration
    latest_day: str | None = None

    def add(self, name: str, value: int) -> None:
        self.increments[name] = self.increments.get(name, 0) + value

    def update(self) -> UpdateOne:
        created = {"estate_id": self.estate_id, "company_id": self.company_id}
        change: dict[str, Any] = {"$inc": {**self.increments, "version": 1}}
        if self.details:
            change["$set"] = self.details
        else:
            created.update(name=None, time_zone=None)
        change["$setOnInsert"] = created
        if self.latest_day:  # days before the recent ones leave the board (the daily figures keep them)
            latest = date.fromisoformat(self.latest_day)
            counted = {name.split(".")[1] for name in self.increments if name.startswith("days.")}
            old = [(latest - timedelta(days=n)).isoformat() for n in range(RECENT_DAYS + 1, RECENT_DAYS + 8)]
            change["$unset"] = {f"days.{day}": "" for day in old if day not in counted}
        return UpdateOne({"_id": self.estate_id}, change, upsert=True)


async def change_estates(uow: UnitOfWork, changes: list[EstateChange], *, target: Target) -> None:
    if changes:
        await uow.db[target(BOARD_ESTATES)].bulk_write([c.update() for c in changes], ordered=False, session=uow.session)


# Reads of the dashboards' API (outside any transaction), from the live set.

BOARD_FIELDS = ("estate_id", "company_id", "name", "time_zone", "version", "open_tickets", "open_p1")


async def _live(database: Database, name: str):
    """The collection `name` of the live set."""
    return database.db[(await live(database))(name)]


async def boards_in_scope(database: Database, scope: dict[str, Any], *, days: list[str],
                          estate_id: str | None = None) -> list[dict[str, Any]]:
    """The boards of the caller's estates (or of one), with only the given local days' counters."""
    query = {**scope, **({"_id": estate_id} if estate_id else {})}
    projection = {**{name: 1 for name in BOARD_FIELDS}, **{f"days.{day}": 1 for day in days}}
    boards = await (await _live(database, BOARD_ESTATES)).find(query, projection).to_list(None)
    return sorted(boards, key=lambda b: b["_id"])


async def find_many(database: Database, collection: str, *, ids: list[str],
                    projection: dict[str, int] | None = None) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    documents = await (await _live(database, collection)).find({"_id": {"$in": ids}}, projection).to_list(None)
    return {d["_id"]: d for d in documents}


async def open_work_orders(database: Database, estate_id: str, *, limit: int) -> list[dict[str, Any]]:
    return await (await _live(database, BOARD_ORDERS)).find({"estate_id": estate_id, "open": True}).limit(
        limit).to_list(None)


async def timeline(database: Database, estate_id: str, *, day: str, limit: int) -> list[dict[str, Any]]:
    return await (await _live(database, TIMELINE)).find({"estate_id": estate_id, "day": day}).sort(
        "time", DESCENDING).limit(limit).to_list(None)


async def versions(database: Database, estate_ids: list[str]) -> dict[str, int]:
    """Each estate's board version in the live set (after a swap, the rebuilt set's: a screen whose versions
    differ from those it saw reads the board again)."""
    found = await find_many(database, BOARD_ESTATES, ids=estate_ids, projection={"version": 1})
    return {estate_id: found.get(estate_id, {}).get("version", 0) for estate_id in estate_ids}
