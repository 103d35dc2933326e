"""Tickets' own collections: estate ticket settings, complainants' recent complaints, follow-ups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, UpdateOne

from services.intake.domain.ticket_settings import TicketSettings, settings_from_document
from shared.cache import TtlCache
from shared.db import Database, UnitOfWork
from shared.errors import Conflict

TICKETS = "tickets"
TICKET_SETTINGS = "ticket_settings"
COMPLAINANTS = "complainants"
FOLLOW_UPS = "follow_ups"

# Settings are read on the hotline's write path; a process keeps them this long. A change made
# through this process is seen at once (the entry is dropped); other replicas see it within the TTL.
_settings_cache: TtlCache[TicketSettings] = TtlCache(ttl_s=5.0)


async def ensure_indexes(database: Database) -> None:
    db = database.db
    await db[TICKETS].create_index([("estate_id", ASCENDING), ("status", ASCENDING), ("_id", ASCENDING)])
    await db[TICKETS].create_index([("estate_id", ASCENDING), ("unit_id", ASCENDING), ("_id", ASCENDING)])
    await db[FOLLOW_UPS].create_index([("estate_id", ASCENDING), ("state", ASCENDING), ("_id", ASCENDING)])
    await db[FOLLOW_UPS].create_index("ticket_id")


def _session(database: Database | UnitOfWork):
    return getattr(database, "session", None)


# --- settings ------------------------------------------------------------------------------


async def settings_document(database: Database | UnitOfWork, estate_id: str) -> dict[str, Any] | None:
    return await database.db[TICKET_SETTINGS].find_one({"_id": estate_id}, session=_session(database))


async def ticket_settings(database: Database, estate_id: str) -> TicketSettings:
    """The estate's settings, from this process's short-lived copy when it has one (one point read otherwise)."""
    async def load() -> TicketSettings:
        return settings_from_document(await settings_document(database, estate_id))

    return await _settings_cache.get(estate_id, load)


async def ticket_settings_now(uow: UnitOfWork, estate_id: str) -> TicketSettings:
    """The settings as committed (event handlers and changes, off the hot path), read once per transaction."""
    held: dict[str, TicketSettings] = uow.held.setdefault(TICKET_SETTINGS, {})
    if estate_id not in held:
        held[estate_id] = settings_from_document(await settings_document(uow, estate_id))
    return held[estate_id]


async def replace_settings(uow: UnitOfWork, estate_id: str, *, document: dict[str, Any]) -> dict[str, Any]:
    await uow.db[TICKET_SETTINGS].replace_one({"_id": estate_id}, {"estate_id": estate_id, **document},
                                              upsert=True, session=uow.session)
    _settings_cache.forget(estate_id)
    uow.after_commit.append(lambda: _settings_cache.forget(estate_id))
    return await settings_document(uow, estate_id)


# --- complainants --------------------------------------------------------------------------


class ComplaintHistoryMoved(Conflict):
    code, title = "complaint_history_moved", "Another complaint of the same complainant came at the same moment"


async def complaint_history(database: Database, estate_id: str, *, key: str) -> list[datetime]:
    """A complainant's recent complaints as committed, read before the complaint's transaction: the
    complaints of a group commit are read in one query. A complainant without a document gets an empty one."""
    async def fetch(ids: list[str]) -> dict[str, list[datetime]]:
        found = await database.db[COMPLAINANTS].find({"_id": {"$in": ids}}).to_list(None)
        return {document["_id"]: document["complaints"] for document in found}

    document_id = f"{estate_id}:{key}"
    if (times := await database.reads_together(COMPLAINANTS, fetch).get(document_id)) is not None:
        return times
    await database.transaction(lambda uow: uow.db[COMPLAINANTS].update_one(
        {"_id": document_id}, {"$setOnInsert": {"estate_id": estate_id, "complaints": []}}, upsert=True,
        session=uow.session))
    return []  # if another complaint made it meanwhile, the write below misses and the contact is retried


def complaint_times(uow: UnitOfWork, estate_id: str, *, key: str, as_read: list[datetime]) -> list[datetime]:
    """The complainant's complaints: as read, or as an earlier complaint of this transaction left them."""
    held: dict[str, dict[str, Any]] = uow.held.setdefault(COMPLAINANTS, {})
    return held.setdefault(f"{estate_id}:{key}", {"read": as_read, "times": as_read})["times"]


def set_complaint_times(uow: UnitOfWork, estate_id: str, *, key: str, moments: list[datetime]) -> None:
    """Written at the commit, once per complainant, only if nobody changed them since they were read
    (else `ComplaintHistoryMoved`: the contact is logged again on fresh history)."""
    held: dict[str, dict[str, Any]] = uow.held[COMPLAINANTS]
    held[f"{estate_id}:{key}"].update(times=moments, estate_id=estate_id)
    uow.before_commit(COMPLAINANTS, lambda: _write_complaint_times(uow, held))


async def _write_complaint_times(uow: UnitOfWork, held: dict[str, dict[str, Any]]) -> None:
    for document_id, history in held.items():
        if "estate_id" in history:
            uow.write(COMPLAINANTS, UpdateOne(
                {"_id": document_id, "complaints": history["read"]},
                {"$set": {"estate_id": history["estate_id"], "complaints": history["times"]}},
            ), or_raise=ComplaintHistoryMoved("the complainant's history moved; try again"))


# --- tickets -------------------------------------------------------------------------------


def update_ticket(uow: UnitOfWork, ticket: dict[str, Any], *, fields: dict[str, Any], entry: dict | None,
                  conflict: Exception) -> dict[str, Any]:
    """Write a change at the commit if the ticket is still as it was read (its version), else raise
    `conflict`; `entry` goes into its history (None: a change that is no step of its life, such as
    the link to its work order). Returns the ticket as changed (reads in this transaction do not see it)."""
    version = ticket.get("version", 1)
    change: dict[str, Any] = {"$set": {**fields, "version": version + 1}}
    if entry is not None:
        change["$push"] = {"history": entry}
    uow.write(TICKETS, UpdateOne({"_id": ticket["_id"], "version": version}, change), or_raise=conflict)
    history = [*ticket.get("history", []), entry] if entry is not None else ticket.get("history", [])
    return {**ticket, **fields, "version": version + 1, "history": history}


async def tickets_by_id(uow: UnitOfWork, ticket_ids: list[str] | set[str]) -> dict[str, dict[str, Any]]:
    """Tickets by id, in one query (a batch of events reads its tickets together)."""
    if not ticket_ids:
        return {}
    cursor = uow.db[TICKETS].find({"_id": {"$in": sorted(ticket_ids)}}, session=uow.session)
    return {ticket["_id"]: ticket for ticket in await cursor.to_list(None)}


# --- follow-ups ----------------------------------------------------------------------------


async def find_follow_up(
    database: Database | UnitOfWork, follow_up_id: str, *, scope: dict[str, Any]
) -> dict[str, Any] | None:
    return await database.db[FOLLOW_UPS].find_one({"_id": follow_up_id, **scope}, session=_session(database))


async def update_follow_up(uow: UnitOfWork, follow_up: dict[str, Any], *, fields: dict[str, Any], attempt: dict | None):
    change: dict[str, Any] = {"$set": fields}
    if attempt is not None:
        change["$push"] = {"attempts": attempt}
    result = await uow.db[FOLLOW_UPS].update_one(
        {"_id": follow_up["_id"], "state": follow_up["state"], "attempt_count": follow_up["attempt_count"]},
        change, session=uow.session,
    )
    return result.modified_count == 1
