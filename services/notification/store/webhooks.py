"""Notification's database, webhook side: subscriptions, deliveries (one per subscription and event), and
the log of every attempt."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument

from shared.auth import ALL_ESTATES, Principal
from shared.cache import TtlCache
from shared.db import Database, UnitOfWork

WEBHOOKS = "webhooks"
DELIVERIES = "webhook_deliveries"
ATTEMPTS = "webhook_attempts"
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


async def ensure_indexes(database: Database) -> None:
    db = database.db
    await db[WEBHOOKS].create_index([("company_id", ASCENDING), ("_id", ASCENDING)])
    await db[DELIVERIES].create_index([("subscription_id", ASCENDING), ("event_id", ASCENDING)], unique=True)
    await db[DELIVERIES].create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)])
    await db[DELIVERIES].create_index([("lane", ASCENDING), ("status", ASCENDING)])
    await db[DELIVERIES].create_index([("subscription_id", ASCENDING), ("_id", ASCENDING)])
    await db[ATTEMPTS].create_index([("subscription_id", ASCENDING), ("_id", ASCENDING)])
    await db[ATTEMPTS].create_index([("delivery_id", ASCENDING), ("_id", ASCENDING)])


def visible_to(principal: Principal) -> dict[str, Any]:
    """Subscriptions of the caller's company whose every estate is within the caller's scope."""
    query: dict[str, Any] = {"company_id": principal.company_id}
    if principal.estates != ALL_ESTATES:
        query["estate_ids"] = {"$not": {"$elemMatch": {"$nin": list(principal.estates)}}}
    return query


async def find_subscription(database: Database | UnitOfWork, principal: Principal, *, webhook_id: str,
                            ) -> dict[str, Any] | None:
    session = getattr(database, "session", None)
    return await database.db[WEBHOOKS].find_one({"_id": webhook_id, **visible_to(principal)}, session=session)


async def insert_subscription(database: Database, subscription: dict[str, Any]) -> None:
    await database.db[WEBHOOKS].insert_one(subscription)
    _active.clear()


async def update_subscription(database: Database | UnitOfWork, webhook_id: str, *, version: int | None,
                              changes: dict[str, Any]) -> dict[str, Any] | None:
    """Apply `changes` while the subscription is at `version` (any, when None); None on a conflict.

    Always in a transaction: failing subscriptions are disabled in the deliverer's."""
    if isinstance(database, Database):
        return await database.transaction(lambda uow: update_subscription(uow, webhook_id, version=version,
                                                                          changes=changes))
    session = database.session
    query: dict[str, Any] = {"_id": webhook_id} if version is None else {"_id": webhook_id, "version": version}
    updated = await database.db[WEBHOOKS].find_one_and_update(
        query, {"$set": changes, "$inc": {"version": 1}}, return_document=ReturnDocument.AFTER, session=session)
    _active.clear()
    return updated


async def delete_subscription(database: Database, webhook_id: str, *, version: int | None) -> bool:
    query: dict[str, Any] = {"_id": webhook_id} if version is None else {"_id": webhook_id, "version": version}

    async def delete(uow: UnitOfWork) -> bool:  # with its pending deliveries, in one transaction
        if (await uow.db[WEBHOOKS].delete_one(query, session=uow.session)).deleted_count != 1:
            return False
        await uow.db[DELIVERIES].update_many({"subscription_id": webhook_id, "status": PENDING},
                                             {"$set": {"status": FAILED, "reason": "subscription deleted"}},
                                             session=uow.session)
        return True

    deleted = await database.transaction(delete)
    _active.clear()
    return deleted


# Every active subscription, read once per batch of events and kept for the cache's time to live: a new
# or changed subscription is seen by every replica within it.
_active: TtlCache[list[dict[str, Any]]] = TtlCache()


async def active_subscriptions(uow: UnitOfWork) -> list[dict[str, Any]]:
    async def load() -> list[dict[str, Any]]:
        return await uow.db[WEBHOOKS].find(
            {"status": "active"}, {"secrets": 0}, session=uow.session).to_list(None)

    return await _active.get(uow.db.name, load) or []


def forget_active() -> None:
    _active.clear()


# --- the dispatcher's reads and writes -------------------------------------------------

async def due_deliveries(database: Database, now: datetime, *, limit: int) -> list[dict[str, Any]]:
    """Pending deliveries whose time has come and that nobody holds."""
    query = {"status": PENDING, "next_attempt_at": {"$lte": now}, "claim_until": {"$lte": now}}
    return await database.db[DELIVERIES].find(query, {"body": 0}).sort("next_attempt_at", 1).to_list(limit)


async def pending_in_lanes(database: Database, lanes: list[str]) -> list[dict[str, Any]]:
    return await database.db[DELIVERIES].find(
        {"lane": {"$in": lanes}, "status": PENDING},
        {"lane": 1, "event_order": 1, "next_attempt_at": 1, "claim_until": 1}).to_list(None)


async def wait_behind(database: Database, delivery_ids: list[str], *, until: datetime) -> None:
    """Deliveries behind their lane's head wait until it is due again (or done: `release_lane`)."""
    await update_deliveries(database, {"_id": {"$in": delivery_ids}, "status": PENDING},
                               update={"$set": {"next_attempt_at": until}})


async def claim(database: Database, delivery_ids: list[str], *, claim_id: str, now: datetime, until: datetime,
                ) -> list[dict[str, Any]]:
    """Take deliveries for one attempt each: a delivery is won by one claim only (each document's update is
    atomic), until `until`. `claim_id` is new for every claim, so that what this one won can be read back."""
    await update_deliveries(
        database,
        {"_id": {"$in": delivery_ids}, "status": PENDING, "next_attempt_at": {"$lte": now}, "claim_until": {"$lte": now}},
        update={"$set": {"claimed_by": claim_id, "claim_until": until}, "$inc": {"attempts": 1, "step": 1}})
    return await database.db[DELIVERIES].find({"_id": {"$in": delivery_ids}, "claimed_by": claim_id}).to_list(None)


async def release_lanes(uow: UnitOfWork, lanes: list[str], *, now: datetime) -> None:
    """The heads of these lanes are done: the next ones may go at once."""
    await uow.db[DELIVERIES].update_many(
        {"lane": {"$in": lanes}, "status": PENDING, "next_attempt_at": {"$gt": now}},
        {"$set": {"next_attempt_at": now}}, session=uow.session)


async def fail_pending(uow: UnitOfWork, subscription_id: str, *, reason: str) -> list[dict[str, Any]]:
    query = {"subscription_id": subscription_id, "status": PENDING}
    pending = await uow.db[DELIVERIES].find(query, {"body": 0}, session=uow.session).to_list(None)
    if pending:
        await uow.db[DELIVERIES].update_many(query, {"$set": {"status": FAILED, "reason": reason}},
                                             session=uow.session)
    return pending


async def failing_too_long(database: Database, before: datetime) -> list[dict[str, Any]]:
    return await database.db[WEBHOOKS].find(
        {"status": "active", "failing_since": {"$lte": before}}, {"secrets": 0}).to_list(None)


async def requeue(database: Database, query: dict[str, Any], *, now: datetime) -> int:
    """Deliveries to be sent again from the first step of the schedule."""
    return await update_deliveries(
        database, query, update={"$set": {"status": PENDING, "next_attempt_at": now, "claim_until": now, "step": 0,
                                          "reason": None}})


async def update_deliveries(database: Database, query: dict[str, Any], *, update: dict[str, Any]) -> int:
    """Deliveries are written by transactions all the time (the fan-out, the outcomes): a write of many of
    them outside one would make SecantusDB retry its conflicts server-side without end, holding locks that
    the transactions need (seen wedging the whole database with two replicas). In a transaction a conflict
    surfaces at once and is retried here."""

    async def write(uow: UnitOfWork) -> int:
        return (await uow.db[DELIVERIES].update_many(query, update, session=uow.session)).modified_count

    return await database.transaction(write)
