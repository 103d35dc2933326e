"""Notification's database: messages and their deliveries."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from services.notification.store import amqp_subscriptions, webhooks
from shared.db import Database, UnitOfWork

MESSAGES = "messages"


async def ensure_indexes(database: Database) -> None:
    await database.db[MESSAGES].create_index("dedupe_key", unique=True)
    await database.db[MESSAGES].create_index([("recipient_id", ASCENDING), ("_id", ASCENDING)])
    await webhooks.ensure_indexes(database)
    await amqp_subscriptions.ensure_indexes(database)


async def insert_message(uow: UnitOfWork, message: dict[str, Any]) -> None:
    await uow.db[MESSAGES].insert_one(message, session=uow.session)


async def find_message(database: Database, message_id: str, scope: dict[str, Any]) -> dict[str, Any] | None:
    return await database.db[MESSAGES].find_one({"_id": message_id, **scope})
