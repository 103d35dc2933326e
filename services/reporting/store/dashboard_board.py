"""The live board's collections: open work orders and tickets, per-estate counters, per-day
counters and the timeline. Every read is one `$in` per collection, every write one per batch.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, ReplaceOne, UpdateOne

from shared.db import Database, UnitOfWork

BOARD_ORDERS = "board_work_orders"
BOARD_TICKETS = "board_tickets"
BOARD_ESTATES = "board_estates"  # open counts and the version a browser's stream watches
BOARD_DAYS = "board_days"  # `_id` estate:day: calls, answered within 15 s, breaches
TIMELINE = "board_timeline"
DAILY_FIGURES = "daily_figures"
ESTATES = "estates"


async def ensure_indexes(database: Database) -> None:
    await database.db[BOARD_ORDERS].create_index([("estate_id", ASCENDING), ("open", ASCENDING)])
    await database.db[TIMELINE].create_index([("estate_id", ASCENDING), ("day", ASCENDING), ("time", DESCENDING)])


async def _by_id(uow: UnitOfWork, collection: str, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    documents = await uow.db[collection].find({"_id": {"$in": sorted(ids)}}, session=uow.session).to_list(None)
    return {d["_id"]: d for d in documents}


async def work_orders(uow: UnitOfWork, ids: set[str]) -> dict[str, dict[str, Any]]:
    return await _by_id(uow, BOARD_ORDERS, ids)


async def tickets(uow: UnitOfWork, ids: set[str]) -> dict[str, dict[str, Any]]:
    return await _by_id(uow, BOARD_TICKETS, ids)


async def time_zones(uow: UnitOfWork, estate_ids: set[str]) -> dict[str, str]:
    found = await _by_id(uow, ESTATES, estate_ids)
    return {estate_id: d.get("time_zone") for estate_id, d in found.items() if d.get("time_zone")}


async def save(uow: UnitOfWork, collection: str, documents: list[dict[str, Any]]) -> None:
    if documents:
        await uow.db[collection].bulk_write(
            [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in documents], ordered=False, session=uow.session)


async def add(uow: UnitOfWork, collection: str, counts: dict[str, tuple[dict[str, Any], dict[str, int]]]) -> None:
    """`counts`: document id → (fields it is created with, increments)."""
    if counts:
        await uow.db[collection].bulk_write(
            [UpdateOne({"_id": key}, {"$setOnInsert": base, "$inc": increments}, upsert=True)
             for key, (base, increments) in counts.items()], ordered=False, session=uow.session)


# Reads of the dashboards' API (outside any transaction).

async def estates_in_scope(database: Database, scope: dict[str, Any]) -> list[dict[str, Any]]:
    return await database.db[ESTATES].find(scope, {"name": 1, "time_zone": 1, "company_id": 1}).sort(
        "_id", ASCENDING).to_list(None)


async def find_many(database: Database, collection: str, ids: list[str],
                    projection: dict[str, int] | None = None) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    documents = await database.db[collection].find({"_id": {"$in": ids}}, projection).to_list(None)
    return {d["_id"]: d for d in documents}


async def open_work_orders(database: Database, estate_id: str, limit: int) -> list[dict[str, Any]]:
    return await database.db[BOARD_ORDERS].find({"estate_id": estate_id, "open": True}).limit(limit).to_list(None)


async def timeline(database: Database, estate_id: str, day: str, limit: int) -> list[dict[str, Any]]:
    return await database.db[TIMELINE].find({"estate_id": estate_id, "day": day}).sort(
        "time", DESCENDING).limit(limit).to_list(None)


async def versions(database: Database, estate_ids: list[str]) -> dict[str, int]:
    found = await find_many(database, BOARD_ESTATES, estate_ids, {"version": 1})
    return {estate_id: found.get(estate_id, {}).get("version", 0) for estate_id in estate_ids}
