"""Storage of the duty desk: handovers, the posts whose shifts are watched, due- and missing-handover flags,
spot checks and emergency contacts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, UpdateOne

from services.dispatch.domain.handover import OPEN_STATUSES, contact_line
from shared.db import Database, UnitOfWork
from shared.pagination import id_floor

HANDOVERS = "handovers"
DUTY_POSTS = "duty_posts"
MISSING_HANDOVERS = "handover_missing_flags"
DUE_HANDOVERS = "handover_due_flags"  # a shift whose outgoing staff were told their handover is due
SPOT_CHECKS = "spot_checks"
EMERGENCY_CONTACTS = "emergency_contacts"
WATCH_STATE = "handover_watch_state"
KEYS_ON_LOAN = "keys_on_loan"  # from intake's key register: loans not returned yet
WORK_ORDERS = "work_orders"  # dispatch's own orders, read for what a shift carries over
CARRIED_LIMIT = 500  # open orders listed in one handover; more is a queue, not a handover


async def ensure_indexes(database: Database) -> None:
    db = database.db
    await db[HANDOVERS].create_index("shift_key", unique=True)
    await db[HANDOVERS].create_index([("estate_id", ASCENDING), ("post", ASCENDING)])
    await db[HANDOVERS].create_index([("estate_id", ASCENDING), ("department", ASCENDING)])
    await db[SPOT_CHECKS].create_index("estate_id")
    await db[KEYS_ON_LOAN].create_index([("estate_id", ASCENDING), ("returned", ASCENDING)])
    await db[WORK_ORDERS].create_index([("estate_id", ASCENDING), ("status", ASCENDING)])


def _session(database: Database | UnitOfWork):
    return getattr(database, "session", None)


# --- what a shift carries over ---------------------------------------------------------


async def open_work_orders(uow: UnitOfWork, estate_id: str, *, department: str) -> list[dict[str, Any]]:
    """The department's open orders in the estate."""
    query: dict[str, Any] = {"estate_id": estate_id, "status": {"$in": list(OPEN_STATUSES)}, "department": department}
    cursor = uow.db[WORK_ORDERS].find(query, session=uow.session).sort("_id", ASCENDING)
    return await cursor.to_list(CARRIED_LIMIT)


async def open_emergencies(uow: UnitOfWork, estate_id: str) -> list[dict[str, Any]]:
    """The estate's open emergencies, whatever their department: P1 orders and the estate's safety ones."""
    query = {"estate_id": estate_id, "status": {"$in": list(OPEN_STATUSES)},
             "$or": [{"emergency": True}, {"priority": "P1"}]}
    cursor = uow.db[WORK_ORDERS].find(query, session=uow.session).sort("_id", ASCENDING)
    return await cursor.to_list(CARRIED_LIMIT)


async def incident_orders_created_between(uow: UnitOfWork, estate_id: str, *, start: datetime, end: datetime) -> list:
    query = {"_id": {"$gte": id_floor(start), "$lt": id_floor(end)}, "estate_id": estate_id,
             "incident_id": {"$ne": None}}
    return await uow.db[WORK_ORDERS].find(query, session=uow.session).to_list(CARRIED_LIMIT)


async def work_orders_by_id(database: Database, ids: list[str]) -> list[dict[str, Any]]:
    return await database.db[WORK_ORDERS].find({"_id": {"$in": ids}}).to_list(None)


# --- keys on loan (a projection of intake.key.lent|returned) ----------------------------


def key_lent(uow: UnitOfWork, estate_id: str, *, loan: dict[str, Any]) -> None:
    """At the commit. $setOnInsert: a return that arrived before its loan keeps the loan closed."""
    uow.write(KEYS_ON_LOAN, UpdateOne({"_id": loan["loan_id"]},
                                      {"$setOnInsert": {"estate_id": estate_id, "returned": False, **loan}},
                                      upsert=True))


def key_returned(uow: UnitOfWork, estate_id: str, *, loan_id: str, returned_at: Any) -> None:
    uow.write(KEYS_ON_LOAN, UpdateOne({"_id": loan_id},
                                      {"$set": {"estate_id": estate_id, "returned": True, "returned_at": returned_at}},
                                      upsert=True))


async def keys_out(uow: UnitOfWork, estate_id: str) -> list[dict[str, Any]]:
    query = {"estate_id": estate_id, "returned": False}
    return await uow.db[KEYS_ON_LOAN].find(query, session=uow.session).sort("lent_at", ASCENDING).to_list(CARRIED_LIMIT)


# --- handovers ---------------------------------------------------------------------------


async def insert_handover(uow: UnitOfWork, document: dict[str, Any]) -> None:
    await uow.db[HANDOVERS].insert_one(document, session=uow.session)


async def find_handover(database: Database | UnitOfWork, handover_id: str, *, scope: dict) -> dict[str, Any] | None:
    return await database.db[HANDOVERS].find_one({"_id": handover_id, **scope}, session=_session(database))


async def handover_of_shift(uow: UnitOfWork, key: str) -> dict[str, Any] | None:
    return await uow.db[HANDOVERS].find_one({"shift_key": key}, session=uow.session)


async def acknowledge(uow: UnitOfWork, handover_id: str, *, fields: dict[str, Any]) -> bool:
    """Once: the update only matches a handover nobody acknowledged yet."""
    result = await uow.db[HANDOVERS].update_one(
        {"_id": handover_id, "acknowledged_at": None}, {"$set": fields}, session=uow.session
    )
    return result.modified_count == 1


async def latest_handover(database: Database, estate_id: str, *, post: str | None, department: str | None):
    query: dict[str, Any] = {"estate_id": estate_id}
    if post:
        query["post"] = post
    if department:
        query["department"] = department
    return await database.db[HANDOVERS].find_one(query, sort=[("shift_end", DESCENDING), ("_id", DESCENDING)])


# --- duty posts and the missing-handover watch ------------------------------------------


async def set_duty_posts(uow: UnitOfWork, estate_id: str, *, document: dict[str, Any]) -> dict[str, Any]:
    await uow.db[DUTY_POSTS].replace_one({"_id": estate_id}, {"estate_id": estate_id, **document}, upsert=True,
                                         session=uow.session)
    return await uow.db[DUTY_POSTS].find_one({"_id": estate_id}, session=uow.session)


async def duty_posts(database: Database, estate_id: str) -> dict[str, Any] | None:
    return await database.db[DUTY_POSTS].find_one({"_id": estate_id})


async def estates_with_posts(database: Database) -> list[dict[str, Any]]:
    return await database.db[DUTY_POSTS].find({"posts.0": {"$exists": True}}).to_list(None)


async def watch_checked_until(uow: UnitOfWork, initial: datetime) -> datetime:
    """How far the watch has looked; a fresh installation starts now, and flags nothing from before."""
    await uow.db[WATCH_STATE].update_one(
        {"_id": "handover-watch"}, {"$setOnInsert": {"checked_until": initial}}, upsert=True, session=uow.session
    )
    state = await uow.db[WATCH_STATE].find_one({"_id": "handover-watch"}, session=uow.session)
    return state["checked_until"]


async def move_watch(uow: UnitOfWork, until: datetime) -> None:
    await uow.db[WATCH_STATE].update_one({"_id": "handover-watch"}, {"$max": {"checked_until": until}},
                                         session=uow.session)


async def claim_missing_flag(uow: UnitOfWork, document: dict[str, Any]) -> None:
    """The flag's `_id` is the shift's key: a second replica's insert collides (DuplicateKeyError)."""
    await uow.db[MISSING_HANDOVERS].insert_one(document, session=uow.session)


async def missing_flag(uow: UnitOfWork, key: str) -> dict[str, Any] | None:
    return await uow.db[MISSING_HANDOVERS].find_one({"_id": key}, session=uow.session)


async def claim_due_flag(uow: UnitOfWork, document: dict[str, Any]) -> None:
    """As the missing flag: keyed by the shift, so a second replica's insert collides."""
    await uow.db[DUE_HANDOVERS].insert_one(document, session=uow.session)


async def due_flag(uow: UnitOfWork, key: str) -> dict[str, Any] | None:
    return await uow.db[DUE_HANDOVERS].find_one({"_id": key}, session=uow.session)


# --- spot checks and emergency contacts -------------------------------------------------


async def insert_spot_check(uow: UnitOfWork, document: dict[str, Any]) -> None:
    await uow.db[SPOT_CHECKS].insert_one(document, session=uow.session)


async def set_emergency_contacts(uow: UnitOfWork, estate_id: str, *, contacts: list[dict[str, Any]]) -> dict:
    await uow.db[EMERGENCY_CONTACTS].replace_one(
        {"_id": estate_id}, {"estate_id": estate_id, "contacts": contacts}, upsert=True, session=uow.session
    )
    return {"estate_id": estate_id, "contacts": contacts}


async def emergency_contacts(database: Database | UnitOfWork, estate_id: str) -> list[dict[str, Any]]:
    document = await database.db[EMERGENCY_CONTACTS].find_one({"_id": estate_id}, session=_session(database))
    return (document or {}).get("contacts", [])


async def emergency_contact_lines(uow: UnitOfWork, estate_id: str) -> list[str]:
    """What every P1 escalation carries (值班人员将派出所、消防、医院、供水、供气、供电等部门信息置于明显处)."""
    return [contact_line(contact) for contact in await emergency_contacts(uow, estate_id)]
