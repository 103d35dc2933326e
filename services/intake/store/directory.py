"""The directory's collections: buildings, units and residents of each estate.

Lookups are point lookups on plain indexes: a caller by (estate, phone), a unit's people by
(estate, unit id), a unit by (estate, building, number). Changes to a resident are conditional
on the version that was read (optimistic), and always push a history entry.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from shared.db import Database, UnitOfWork

BUILDINGS = "buildings"
UNITS = "units"
RESIDENTS = "residents"


async def ensure_indexes(database: Database) -> None:
    db = database.db
    await db[BUILDINGS].create_index([("estate_id", ASCENDING), ("name", ASCENDING)], unique=True)
    await db[UNITS].create_index(
        [("estate_id", ASCENDING), ("building_id", ASCENDING), ("number", ASCENDING)], unique=True
    )
    await db[RESIDENTS].create_index([("estate_id", ASCENDING), ("phones", ASCENDING)])
    await db[RESIDENTS].create_index([("estate_id", ASCENDING), ("unit_ids", ASCENDING)])


def _session(database: Database | UnitOfWork):
    return getattr(database, "session", None)


async def find(
    database: Database | UnitOfWork, collection: str, *, document_id: str, scope: dict[str, Any]
) -> dict[str, Any] | None:
    return await database.db[collection].find_one({"_id": document_id, **scope}, session=_session(database))


async def find_many(
    database: Database | UnitOfWork, collection: str, *, ids: list[str], scope: dict[str, Any]
) -> list[dict[str, Any]]:
    if not ids:
        return []
    query = {"_id": {"$in": ids}, **scope}
    return await database.db[collection].find(query, session=_session(database)).to_list(None)


async def residents_with_phone(database: Database | UnitOfWork, estate_id: str, *, phone: str) -> list[dict[str, Any]]:
    if isinstance(database, Database):  # the contact's hot path: callers asked for together, one query
        return await database.reads_together(RESIDENTS, lambda keys: _residents_by_phone(database, keys)).get(
            (estate_id, phone)) or []
    query = {"estate_id": estate_id, "phones": phone}
    return await database.db[RESIDENTS].find(query, session=_session(database)).to_list(50)


async def _residents_by_phone(database: Database, keys: list[tuple[str, str]]) -> dict[tuple[str, str], list]:
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for estate_id in {estate for estate, _phone in keys}:
        phones = sorted({phone for estate, phone in keys if estate == estate_id})
        query = {"estate_id": estate_id, "phones": {"$in": phones}}
        for resident in await database.db[RESIDENTS].find(query).to_list(None):
            for phone in set(resident.get("phones", [])) & set(phones):
                matches = found.setdefault((estate_id, phone), [])
                if len(matches) < 50:
                    matches.append(resident)
    return found


async def residents_with_phones(uow: UnitOfWork, estate_id: str, *, phones: list[str]) -> list[dict[str, Any]]:
    if not phones:
        return []
    query = {"estate_id": estate_id, "phones": {"$in": phones}}
    return await uow.db[RESIDENTS].find(query, session=uow.session).to_list(None)


async def residents_of_unit(database: Database | UnitOfWork, estate_id: str, *, unit_id: str) -> list[dict[str, Any]]:
    query = {"estate_id": estate_id, "unit_ids": unit_id}
    return await database.db[RESIDENTS].find(query, session=_session(database)).to_list(200)


async def buildings_named(uow: UnitOfWork, estate_id: str, *, names: list[str]) -> dict[str, dict[str, Any]]:
    cursor = uow.db[BUILDINGS].find({"estate_id": estate_id, "name": {"$in": names}}, session=uow.session)
    return {building["name"]: building async for building in cursor}


async def existing_units(uow: UnitOfWork, estate_id: str, *, building_ids: list[str]) -> set[tuple[str, str]]:
    """(building id, number) of the units already registered in these buildings."""
    if not building_ids:
        return set()
    cursor = uow.db[UNITS].find(
        {"estate_id": estate_id, "building_id": {"$in": building_ids}}, {"building_id": 1, "number": 1},
        session=uow.session,
    )
    return {(unit["building_id"], unit["number"]) async for unit in cursor}


# Inserts of an import go in batches: the server serves one operation at a time, so other requests
# (the hotline's contacts) get their turn between batches instead of waiting for all 15,000.
INSERT_BATCH = 1000


async def insert_many(uow: UnitOfWork, collection: str, *, documents: list[dict[str, Any]]) -> None:
    for start in range(0, len(documents), INSERT_BATCH):
        batch = documents[start:start + INSERT_BATCH]
        await uow.db[collection].insert_many(batch, session=uow.session, ordered=False)


async def change(
    uow: UnitOfWork, collection: str, *, document: dict[str, Any], fields: dict[str, Any], entry: dict[str, Any]
) -> bool:
    """Apply a change if nobody changed the document since it was read; the history grows by one."""
    result = await uow.db[collection].update_one(
        {"_id": document["_id"], "version": document["version"]},
        {"$set": fields, "$inc": {"version": 1}, "$push": {"history": entry}},
        session=uow.session,
    )
    return result.modified_count == 1


async def link_contact(uow: UnitOfWork, collection: str, *, document_id: str, fields: dict[str, Any]) -> None:
    await uow.db[collection].update_one({"_id": document_id}, {"$set": fields}, session=uow.session)
