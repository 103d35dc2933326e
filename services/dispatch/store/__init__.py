"""Dispatch's database: its collections, their indexes, and the reads every area shares.

Each area's documents have their store module: `staff` (staff and departments), `work_orders`
(orders, what they are made with, their SLA timers), `rosters`, `positions`, `handover`, `ledger`.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from shared.cache import TtlCache
from shared.db import Database, UnitOfWork
from shared.lookup import find_by_id_or_number

STAFF = "staff"
DEPARTMENTS = "department_settings"
WORK_ORDERS = "work_orders"
SLA_TIMERS = "sla_timers"
SCHEDULER_STATE = "scheduler_state"
SLA_POLICIES = "sla_policies"
ROUTING_RULES = "routing_rules"
NUMBERED = frozenset({WORK_ORDERS})  # collections whose documents can also be found by their number
FIRED_TIMER_RETENTION_S = 24 * 3600


def cache_key(database: Database | UnitOfWork, *parts: str) -> str:
    """The key of a process's cached copy: per database, so that two services' tests never share one."""
    return "/".join((database.db.name, *parts))


def forget(uow: UnitOfWork, cache: TtlCache, *, key: str) -> None:
    """This process's copy is dropped now and again after the commit (a read meanwhile kept the old one)."""
    cache.forget(key)
    uow.after_commit.append(lambda: cache.forget(key))


async def ensure_indexes(database: Database) -> None:
    db = database.db
    await db[STAFF].create_index([("estate_id", ASCENDING), ("department", ASCENDING), ("on_duty", ASCENDING)])
    await db[STAFF].create_index([("estate_id", ASCENDING), ("position", ASCENDING), ("on_duty", ASCENDING)])
    # One order per ticket or incident. Not a partial unique index on ticket_id: SecantusDB does not
    # use partial indexes for lookups (a scan of every order), so every order carries a `source`.
    await db[WORK_ORDERS].create_index("source", unique=True)
    await db[WORK_ORDERS].create_index("ticket_id")
    await db[WORK_ORDERS].create_index([("estate_id", ASCENDING), ("number", ASCENDING)], unique=True)
    await db[WORK_ORDERS].create_index([("estate_id", ASCENDING), ("assignee_id", ASCENDING)])
    await db[WORK_ORDERS].create_index([("estate_id", ASCENDING), ("sla_state", ASCENDING)])
    await db[SLA_TIMERS].create_index([("bucket", ASCENDING), ("fired_at", ASCENDING)])
    await db[SLA_TIMERS].create_index("work_order_id")
    await db[SLA_TIMERS].create_index("fired_at", expireAfterSeconds=FIRED_TIMER_RETENTION_S, name="prune_fired")
    # Imported here: those modules read this one's names.
    from services.dispatch.store import handover, ledger, rosters

    await rosters.ensure_indexes(database)
    await handover.ensure_indexes(database)
    await ledger.ensure_indexes(database)


async def insert(uow: UnitOfWork, collection: str, *, document: dict[str, Any]) -> None:
    await uow.db[collection].insert_one(document, session=uow.session)


async def find_one(
    database: Database | UnitOfWork, collection: str, *, document_id: str, scope: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """By id; a work order also by its number (`PG-20261201-0003`)."""
    session = getattr(database, "session", None)
    if collection in NUMBERED:
        return await find_by_id_or_number(database.db[collection], document_id, scope=scope, session=session)
    return await database.db[collection].find_one({"_id": document_id, **(scope or {})}, session=session)
