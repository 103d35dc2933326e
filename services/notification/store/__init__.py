"""Notification's database: its copies of the people it tells, its rules and templates, messages."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING

from services.notification.store import amqp_subscriptions, webhooks
from shared.db import Database, UnitOfWork
from shared.reads import find_in

MESSAGES = "messages"
RECIPIENTS = "recipients"  # residents and staff, with their contacts and preferences
UNITS = "units"  # unit → building, for building-wide messages
TICKETS = "tickets"  # ticket → its caller, for the messages about a ticket's work
INCIDENTS = "incidents"  # incident → the building (or estate) it affects
RULE_OVERRIDES = "rule_overrides"
TEMPLATES = "templates"
CHANNEL_SETTINGS = "channel_settings"  # per estate: which provider serves each channel
ANNOUNCEMENTS = "announcements"
# The id an SMS vendor gave a sent message → the message: its delivery receipt names only that id. A
# collection of its own, not an index on messages, which every message written would pay for.
VENDOR_IDS = "vendor_ids"
RATE_WINDOWS = "rate_windows"  # sends per provider account and window, shared by the replicas


def vendor_id_key(provider: str, vendor_id: str, *, estate_id: str) -> str:
    return f"{provider}:{estate_id}:{vendor_id}"


def recipient_key(estate_id: str, person_id: str) -> str:
    return f"{estate_id}:{person_id}"


async def ensure_indexes(database: Database) -> None:
    db = database.db
    await db[MESSAGES].create_index("dedupe_key", unique=True)
    await db[MESSAGES].create_index([("recipient_id", ASCENDING), ("_id", ASCENDING)])
    # The deliverer's claim: due messages, oldest first.
    await db[MESSAGES].create_index([("status", ASCENDING), ("due_at", ASCENDING)])
    await db[MESSAGES].create_index([("announcement_id", ASCENDING), ("status", ASCENDING)])
    await db[MESSAGES].create_index([("estate_id", ASCENDING), ("recipient_id", ASCENDING), ("_id", DESCENDING)])
    await db[ANNOUNCEMENTS].create_index([("status", ASCENDING), ("scheduled_at", ASCENDING)])
    await db[RATE_WINDOWS].create_index([("key", ASCENDING), ("window", ASCENDING)])
    await db[RECIPIENTS].create_index([("estate_id", ASCENDING), ("unit_ids", ASCENDING)])
    await db[RECIPIENTS].create_index([("estate_id", ASCENDING), ("building_ids", ASCENDING)])
    await db[RECIPIENTS].create_index([("estate_id", ASCENDING), ("positions", ASCENDING)])
    await db[RECIPIENTS].create_index([("estate_id", ASCENDING), ("kind", ASCENDING), ("_id", ASCENDING)])
    await webhooks.ensure_indexes(database)
    await amqp_subscriptions.ensure_indexes(database)


async def insert_message(uow: UnitOfWork, message: dict[str, Any]) -> None:
    await uow.db[MESSAGES].insert_one(message, session=uow.session)


async def find_message(database: Database, message_id: str, *, scope: dict[str, Any]) -> dict[str, Any] | None:
    return await database.db[MESSAGES].find_one({"_id": message_id, **scope})


async def by_ids(uow: UnitOfWork, collection: str, *, ids: set[str], projection: dict | None = None) -> dict[str, dict]:
    """Documents of one collection by `_id` (nothing asked, nothing read)."""
    documents = await find_in(uow.db[collection], field="_id", values=ids, projection=projection, session=uow.session)
    return {document["_id"]: document for document in documents}
