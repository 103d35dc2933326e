"""The live board's collections: open work orders and tickets, per-estate counters, per-day
counters and the timeline. Every read is one `$in` per collection, every write one per batch.
"""

from __future__ import annotations

from typing import Any

from dataclasses import dataclass, field
from datetime import date, timedelta

from pymongo import ASCENDING, DESCENDING, ReplaceOne, UpdateOne

from shared.db import Database, UnitOfWork

BOARD_ORDERS = "board_work_orders"
BOARD_TICKETS = "board_tickets"
# One per estate: name and time zone, open counts, `days.<local day>` calls, answers and breaches
# (the last few days only), and the version a browser's stream watches.
BOARD_ESTATES = "board_estates"
RECENT_DAYS = 2  # days kept on the board before the latest one an event counted
TIMELINE = "board_timeline"
ESTATES = "estates"


async def ensure_indexes(database: Database) -> None:
    await database.db[BOARD_ORDERS].create_index([("estate_id", ASCENDING), ("open", ASCENDING)])
    await database.db[TIMELINE].create_index([("estate_id", ASCENDING), ("day", ASCENDING), ("time", DESCENDING)])
    await database.db[BOARD_ESTATES].create_index([("company_id", ASCENDING), ("estate_id", ASCENDING)])
    await _board_for_every_estate(database)


async def _board_for_every_estate(database: Database) -> None:
    """Estates registered before the board existed get theirs (empty), so the overview lists them."""
    known = {d["_id"] for d in await database.db[BOARD_ESTATES].find({}, {"_id": 1}).to_list(None)}
    missing = [e for e in await database.db[ESTATES].find({}).to_list(None) if e["_id"] not in known]
    if missing:
        writes = [UpdateOne({"_id": e["_id"]}, {"$setOnInsert": {
            "estate_id": e["_id"], "company_id": e.get("company_id"), "name": e.get("name"),
            "time_zone": e.get("time_zone"), "version": 0}}, upsert=True) for e in missing]
        # In a transaction: the live path writes the board in transactions.
        await database.transaction(lambda uow: uow.db[BOARD_ESTATES].bulk_write(writes, ordered=False,
                                                                                 session=uow.session))


async def _by_id(uow: UnitOfWork, collection: str, *, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    documents = await uow.db[collection].find({"_id": {"$in": sorted(ids)}}, session=uow.session).to_list(None)
    return {d["_id"]: d for d in documents}


async def work_orders(uow: UnitOfWork, ids: set[str]) -> dict[str, dict[str, Any]]:
    return await _by_id(uow, BOARD_ORDERS, ids=ids)


async def tickets(uow: UnitOfWork, ids: set[str]) -> dict[str, dict[str, Any]]:
    return await _by_id(uow, BOARD_TICKETS, ids=ids)


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


async def change_estates(uow: UnitOfWork, changes: list[EstateChange]) -> None:
    if changes:
        await uow.db[BOARD_ESTATES].bulk_write([c.update() for c in changes], ordered=False, session=uow.session)


# Reads of the dashboards' API (outside any transaction).

BOARD_FIELDS = ("estate_id", "company_id", "name", "time_zone", "version", "open_tickets", "open_p1")


async def boards_in_scope(database: Database, scope: dict[str, Any], *, days: list[str],
                          estate_id: str | None = None) -> list[dict[str, Any]]:
    """The boards of the caller's estates (or of one), with only the given local days' counters."""
    query = {**scope, **({"_id": estate_id} if estate_id else {})}
    projection = {**{name: 1 for name in BOARD_FIELDS}, **{f"days.{day}": 1 for day in days}}
    boards = await database.db[BOARD_ESTATES].find(query, projection).to_list(None)
    return sorted(boards, key=lambda b: b["_id"])


async def find_many(database: Database, collection: str, *, ids: list[str],
                    projection: dict[str, int] | None = None) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    documents = await database.db[collection].find({"_id": {"$in": ids}}, projection).to_list(None)
    return {d["_id"]: d for d in documents}


async def open_work_orders(database: Database, estate_id: str, *, limit: int) -> list[dict[str, Any]]:
    return await database.db[BOARD_ORDERS].find({"estate_id": estate_id, "open": True}).limit(limit).to_list(None)


async def timeline(database: Database, estate_id: str, *, day: str, limit: int) -> list[dict[str, Any]]:
    return await database.db[TIMELINE].find({"estate_id": estate_id, "day": day}).sort(
        "time", DESCENDING).limit(limit).to_list(None)


async def versions(database: Database, estate_ids: list[str]) -> dict[str, int]:
    found = await find_many(database, BOARD_ESTATES, ids=estate_ids, projection={"version": 1})
    return {estate_id: found.get(estate_id, {}).get("version", 0) for estate_id in estate_ids}
