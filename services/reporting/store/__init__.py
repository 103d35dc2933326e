"""Reporting's database: the event archive and the read models derived from it.

The read models (day documents, the cases behind them, the estates' units) live in collections that a
rebuild fills afresh under `<name>__rebuild`, then swaps in; `Target` names one set of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pymongo import ASCENDING, ReplaceOne, UpdateOne

from shared.db import Database, UnitOfWork
from shared.estates import DEFAULT_TIME_ZONE, ESTATES

EVENTS = "events"
DAILY_FIGURES = "daily_figures"
TICKET_CASES = "ticket_cases"
WORK_ORDER_CASES = "work_order_cases"
UNITS = "units"
READ_MODELS = (DAILY_FIGURES, TICKET_CASES, WORK_ORDER_CASES, UNITS)
REBUILDS = "rebuilds"
REBUILD_SUFFIX = "__rebuild"
PREVIOUS_SUFFIX = "__previous"
CURRENT_REBUILD = "current"


@dataclass(frozen=True)
class Target:
    """One set of read-model collections: the live ones, or those a rebuild is filling."""

    suffix: str = ""

    def __call__(self, name: str) -> str:
        return name + self.suffix


LIVE = Target()
REBUILT = Target(REBUILD_SUFFIX)


async def ensure_indexes(database: Database) -> None:
    await database.db[EVENTS].create_index([("estate_id", ASCENDING), ("_id", ASCENDING)])
    await ensure_read_model_indexes(database, LIVE)


async def ensure_read_model_indexes(database: Database, target: Target) -> None:
    await database.db[target(DAILY_FIGURES)].create_index([("estate_id", ASCENDING), ("day", ASCENDING)])
    await database.db[target(UNITS)].create_index([("estate_id", ASCENDING)])


def archive(uow: UnitOfWork, documents: list[dict[str, Any]]) -> None:
    """The batch's events, in one insert at the commit (the inbox has made each one new)."""
    for document in documents:
        uow.add(EVENTS, document)


async def time_zones(uow: UnitOfWork, estate_ids: set[str]) -> dict[str, str]:
    """The estates' time zones in one read; the default for an estate not registered yet."""
    found = await uow.db[ESTATES].find({"_id": {"$in": sorted(estate_ids)}}, {"time_zone": 1},
                                       session=uow.session).to_list(None)
    zones = {estate["_id"]: estate.get("time_zone") or DEFAULT_TIME_ZONE for estate in found}
    return {estate_id: zones.get(estate_id, DEFAULT_TIME_ZONE) for estate_id in estate_ids}


async def cases(uow: UnitOfWork, collection: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    found = await uow.db[collection].find({"_id": {"$in": ids}}, session=uow.session).to_list(None)
    return {case["_id"]: case for case in found}


async def write_cases(uow: UnitOfWork, collection: str, documents: list[dict[str, Any]]) -> None:
    if documents:
        await uow.db[collection].bulk_write([ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in documents],
                                            ordered=False, session=uow.session)


async def write_days(uow: UnitOfWork, collection: str, days: dict[str, dict[str, Any]]) -> None:
    """Every day document of the batch in one bulk write: its identity, amounts added, list entries set."""
    writes = []
    for figures_id, day in days.items():
        update: dict[str, Any] = {"$setOnInsert": day["base"]}
        if increments := {name: amount for name, amount in day["increments"].items() if amount}:
            update["$inc"] = increments
        if day["entries"]:
            update["$set"] = day["entries"]
        writes.append(UpdateOne({"_id": figures_id}, update, upsert=True))
    if writes:
        await uow.db[collection].bulk_write(writes, ordered=False, session=uow.session)


async def write_units(uow: UnitOfWork, collection: str, units: dict[str, dict[str, Any]]) -> None:
    if units:
        await uow.db[collection].bulk_write(
            [UpdateOne({"_id": unit_id}, {"$set": unit}, upsert=True) for unit_id, unit in units.items()],
            ordered=False, session=uow.session)


async def find_day(database: Database, figures_id: str, scope: dict[str, Any]) -> dict[str, Any] | None:
    return await database.db[DAILY_FIGURES].find_one({"_id": figures_id, **scope})


async def days_between(database: Database, scope: dict[str, Any], first: date, last: date) -> list[dict[str, Any]]:
    query = {**scope, "day": {"$gte": first.isoformat(), "$lte": last.isoformat()}}
    return await database.db[DAILY_FIGURES].find(query).to_list(None)


async def open_before(database: Database, scope: dict[str, Any], day: date) -> int:
    """Tickets open at the end of the day before `day`: the sum of every earlier day's backlog movement."""
    query = {**scope, "day": {"$lt": day.isoformat()}, "tickets_open_delta": {"$exists": True}}
    found = await database.db[DAILY_FIGURES].find(query, {"tickets_open_delta": 1}).to_list(None)
    return sum(d.get("tickets_open_delta", 0) for d in found)


async def unit_count(database: Database, scope: dict[str, Any]) -> int:
    return await database.db[UNITS].count_documents(scope)


async def building_names(database: Database, scope: dict[str, Any]) -> dict[str, str]:
    found = await database.db[UNITS].find(scope, {"building_id": 1, "building_name": 1}).to_list(None)
    return {u["building_id"]: u.get("building_name") or u["building_id"] for u in found if u.get("building_id")}
