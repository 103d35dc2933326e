"""Reporting's database: the event archive and the read models derived from it.

The read models (day documents, the cases behind them, the estates' units) live in one of two sets of
collections (`<name>` and `<name>__rebuild`): the rebuild state says which set is live, a rebuild fills
the other afresh, and its swap only changes which one the state names. `Target` names one set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pymongo import ASCENDING, ReplaceOne, UpdateOne

from shared.cache import TtlCache
from shared.db import Database, UnitOfWork
from shared.estates import DEFAULT_TIME_ZONE, ESTATES

EVENTS = "events"
DAILY_FIGURES = "daily_figures"
TICKET_CASES = "ticket_cases"
WORK_ORDER_CASES = "work_order_cases"
UNITS = "units"
UNIT_COUNTS = "unit_counts"
BUILDINGS = "buildings"
# The backlog's movements by day, month and year, in small documents of their own: the tickets open at
# the end of any day are the sum of the years before, the months of its year and the days of its month.
# The reports read them by `_id` (the database answers those at once; ranges scan), but for the years
# before, found by (estate, grain, period): one small document per estate and year with any movement.
BACKLOG = "backlog"
BACKLOG_FIELD = "tickets_open_delta"
READ_MODELS = (DAILY_FIGURES, TICKET_CASES, WORK_ORDER_CASES, UNITS, UNIT_COUNTS, BUILDINGS, BACKLOG)
REBUILDS = "rebuilds"
REBUILD_SUFFIX = "__rebuild"
CURRENT_REBUILD = "current"


@dataclass(frozen=True)
class Target:
    """One set of read-model collections: the live ones, or those a rebuild is filling."""

    suffix: str = ""

    def __call__(self, name: str) -> str:
        return name + self.suffix

    @property
    def other(self) -> Target:
        """The other set: the one a rebuild fills while this one is live."""
        return Target("" if self.suffix else REBUILD_SUFFIX)


FIRST = Target()  # live until the first swap

# Which set is live changes only at a swap: each process reads it again within a second (reads only;
# the live path reads it in each batch's transaction, `rebuilds.slots`).
_live: TtlCache[str] = TtlCache(ttl_s=1.0)


async def live(database: Database) -> Target:
    """The set of read-model collections that reads are answered from."""

    async def load() -> str:
        state = await database.db[REBUILDS].find_one({"_id": CURRENT_REBUILD}, {"live": 1})
        return (state or {}).get("live", FIRST.suffix)

    return Target(await _live.get(database.db.name, load))


def forget_live(database: Database) -> None:
    _live.forget(database.db.name)


async def ensure_indexes(database: Database) -> None:
    await database.db[EVENTS].create_index([("estate_id", ASCENDING), ("_id", ASCENDING)])
    await ensure_read_model_indexes(database, FIRST)


async def ensure_read_model_indexes(database: Database, target: Target) -> None:
    await database.db[target(DAILY_FIGURES)].create_index([("estate_id", ASCENDING), ("day", ASCENDING)])
    await database.db[target(UNITS)].create_index([("estate_id", ASCENDING)])
    await database.db[target(BUILDINGS)].create_index([("estate_id", ASCENDING)])
    await database.db[target(BACKLOG)].create_index([("estate_id", ASCENDING), ("grain", ASCENDING),
                                                     ("period", ASCENDING)])


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


async def cases(uow: UnitOfWork, collection: str, *, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    found = await uow.db[collection].find({"_id": {"$in": ids}}, session=uow.session).to_list(None)
    return {case["_id"]: case for case in found}


async def write_cases(uow: UnitOfWork, collection: str, *, documents: list[dict[str, Any]]) -> None:
    if documents:
        await uow.db[collection].bulk_write([ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in documents],
                                            ordered=False, session=uow.session)


async def write_days(uow: UnitOfWork, target: Target, *, days: dict[str, dict[str, Any]]) -> None:
    """Every day document of the batch in one bulk write: its identity, amounts added, list entries set;
    the backlog's movements in another."""
    await _write_backlog(uow, target(BACKLOG), days=days)
    writes = []
    for figures_id, day in days.items():
        update: dict[str, Any] = {"$setOnInsert": day["base"]}
        if increments := {name: amount for name, amount in day["increments"].items() if amount}:
            update["$inc"] = increments
        if day["entries"]:
            update["$set"] = day["entries"]
        writes.append(UpdateOne({"_id": figures_id}, update, upsert=True))
    if writes:
        await uow.db[target(DAILY_FIGURES)].bulk_write(writes, ordered=False, session=uow.session)


async def _write_backlog(uow: UnitOfWork, collection: str, *, days: dict[str, dict[str, Any]]) -> None:
    moved: dict[str, dict[str, Any]] = {}
    for day in days.values():
        if not (amount := day["increments"].get(BACKLOG_FIELD, 0)):
            continue
        base = day["base"]
        for grain, period in (("day", base["day"]), ("month", base["day"][:7]), ("year", base["day"][:4])):
            key = f"{base['estate_id']}:{period}"
            held = moved.setdefault(key, {"base": {"estate_id": base["estate_id"], "company_id": base["company_id"],
                                                   "grain": grain, "period": period}, "amount": 0})
            held["amount"] += amount
    if moved:
        await uow.db[collection].bulk_write(
            [UpdateOne({"_id": key}, {"$setOnInsert": held["base"], "$inc": {"amount": held["amount"]}}, upsert=True)
             for key, held in moved.items()], ordered=False, session=uow.session)


async def write_units(uow: UnitOfWork, target: Target, *, units: dict[str, dict[str, Any]]) -> None:
    """The estates' units (complaints per 100 units) and their buildings' names (the reports show them)."""
    if not units:
        return
    known = {u["_id"] for u in await uow.db[target(UNITS)].find({"_id": {"$in": sorted(units)}}, {"_id": 1},
                                                                 session=uow.session).to_list(None)}
    new_by_estate: dict[str, int] = {}
    for unit_id, unit in units.items():
        if unit_id not in known:
            new_by_estate[unit["estate_id"]] = new_by_estate.get(unit["estate_id"], 0) + 1
    if new_by_estate:
        companies = {u["estate_id"]: u["company_id"] for u in units.values()}
        await uow.db[target(UNIT_COUNTS)].bulk_write(
            [UpdateOne({"_id": estate_id}, {"$setOnInsert": {"estate_id": estate_id, "company_id": companies[estate_id]},
                                            "$inc": {"units": count}}, upsert=True)
             for estate_id, count in new_by_estate.items()], ordered=False, session=uow.session)
    await uow.db[target(UNITS)].bulk_write(
        [UpdateOne({"_id": unit_id}, {"$set": unit}, upsert=True) for unit_id, unit in units.items()],
        ordered=False, session=uow.session)
    buildings = {f"{u['estate_id']}:{u['building_id']}": {
        "estate_id": u["estate_id"], "company_id": u["company_id"], "building_id": u["building_id"],
        "name": u.get("building_name") or u["building_id"]} for u in units.values() if u.get("building_id")}
    await uow.db[target(BUILDINGS)].bulk_write(
        [UpdateOne({"_id": key}, {"$set": building}, upsert=True) for key, building in buildings.items()],
        ordered=False, session=uow.session)


async def find_day(database: Database, figures_id: str, *, scope: dict[str, Any]) -> dict[str, Any] | None:
    return await database.db[(await live(database))(DAILY_FIGURES)].find_one({"_id": figures_id, **scope})


async def days_by_id(database: Database, ids: list[str], *, projection: dict[str, int] | None = None,
                     ) -> dict[str, dict[str, Any]]:
    """Day documents by their ids (`estate:day`), from the live set."""
    if not ids:
        return {}
    found = await database.db[(await live(database))(DAILY_FIGURES)].find({"_id": {"$in": ids}}, projection).to_list(None)
    return {d["_id"]: d for d in found}


async def days_between(database: Database, scope: dict[str, Any], *, estate_ids: list[str], first: date,
                       last: date) -> list[dict[str, Any]]:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    ids = [f"{estate_id}:{day.isoformat()}" for estate_id in estate_ids for day in days]
    return await database.db[(await live(database))(DAILY_FIGURES)].find({"_id": {"$in": ids}, **scope}).to_list(None)


def _backlog_ids(estate_id: str, day: date) -> list[str]:
    """Its year's months and its month's days before `day` (the years before are read by a query)."""
    months = [f"{estate_id}:{day.year}-{month:02d}" for month in range(1, day.month)]
    days = [f"{estate_id}:{day.replace(day=n).isoformat()}" for n in range(1, day.day)]
    return months + days


async def open_before(database: Database, scope: dict[str, Any], *, estate_ids: list[str], day: date) -> dict[str, int]:
    """Per estate, tickets open at the end of the day before `day`: the years before, its year's months and
    its month's days. The years are found, not named: a day in 2999 must not name a thousand years an estate."""
    collection = database.db[(await live(database))(BACKLOG)]
    years = await collection.find(
        {**scope, "estate_id": {"$in": estate_ids}, "grain": "year", "period": {"$lt": f"{day.year:04d}"}},
        {"amount": 1, "estate_id": 1}).to_list(None)
    ids = [key for estate_id in estate_ids for key in _backlog_ids(estate_id, day)]
    found = await collection.find({"_id": {"$in": ids}, **scope}, {"amount": 1, "estate_id": 1}).to_list(None)
    totals = dict.fromkeys(estate_ids, 0)
    for document in [*years, *found]:
        totals[document["estate_id"]] = totals.get(document["estate_id"], 0) + document.get("amount", 0)
    return totals


async def unit_counts(database: Database, scope: dict[str, Any], *, estate_ids: list[str]) -> dict[str, int]:
    found = await database.db[(await live(database))(UNIT_COUNTS)].find({"_id": {"$in": estate_ids}, **scope}, {"units": 1}).to_list(None)
    return {d["_id"]: d.get("units", 0) for d in found}


async def building_names(database: Database, scope: dict[str, Any], *, estate_ids: list[str],
                         building_ids: list[str]) -> dict[str, str]:
    ids = [f"{estate_id}:{building_id}" for estate_id in estate_ids for building_id in building_ids]
    if not ids:
        return {}
    found = await database.db[(await live(database))(BUILDINGS)].find({"_id": {"$in": ids}, **scope}, {"building_id": 1, "name": 1}).to_list(None)
    return {b["building_id"]: b["name"] for b in found}


async def estate_building_names(database: Database, scope: dict[str, Any]) -> dict[str, str]:
    """The names of every building of one estate (`scope` names it), by building id."""
    found = await database.db[(await live(database))(BUILDINGS)].find(scope, {"building_id": 1, "name": 1}).to_list(
        None)
    return {b["building_id"]: b["name"] for b in found}


async def estates_in(database: Database, scope: dict[str, Any]) -> list[str]:
    """The registered estates of a scope (the estates projection: one small document each)."""
    found = await database.db[ESTATES].find(scope, {"_id": 1}).to_list(None)
    return sorted(e["_id"] for e in found)
