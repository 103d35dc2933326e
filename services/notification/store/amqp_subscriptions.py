"""Notification's database, AMQP side: integrators' queue subscriptions (their deliveries are webhook
deliveries with `transport: "amqp"`, in the same lanes, log and schedule)."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from services.notification.store.webhooks import FAILED, PENDING, update_deliveries, visible_to
from shared.auth import Principal
from shared.cache import TtlCache
from shared.db import Database, UnitOfWork

AMQP_SUBSCRIPTIONS = "amqp_subscriptions"


async def ensure_indexes(database: Database) -> None:
    await database.db[AMQP_SUBSCRIPTIONS].create_index([("company_id", ASCENDING), ("_id", ASCENDING)])


async def find(database: Database, principal: Principal, *, subscription_id: str) -> dict[str, Any] | None:
    return await database.db[AMQP_SUBSCRIPTIONS].find_one({"_id": subscription_id, **visible_to(principal)})


async def insert(database: Database, subscription: dict[str, Any]) -> None:
    await database.db[AMQP_SUBSCRIPTIONS].insert_one(subscription)
    _active.clear()


async def delete(database: Database, subscription_id: str) -> None:
    await database.db[AMQP_SUBSCRIPTIONS].delete_one({"_id": subscription_id})
    await update_deliveries(database, {"subscription_id": subscription_id, "status": PENDING},
                            update={"$set": {"status": FAILED, "reason": "subscription deleted"}})
    _active.clear()


_active: TtlCache[list[dict[str, Any]]] = TtlCache()


async def active(uow: UnitOfWork) -> list[dict[str, Any]]:
    async def load() -> list[dict[str, Any]]:
        return await uow.db[AMQP_SUBSCRIPTIONS].find({"status": "active"}, session=uow.session).to_list(None)

    return await _active.get(uow.db.name, load) or []
