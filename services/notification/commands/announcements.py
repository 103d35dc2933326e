"""Announcements (公告/通知): estate- or building-wide, now or at a set time, with their progress.

The announcer of any replica claims a due announcement with a lease and fans it out in chunks of
residents (one transaction each: their messages and the announcement's cursor), so a replica that
dies mid-way leaves the rest to the next holder; the messages' unique key makes a chunk done twice
store nothing twice. Messages then go as any other: the local provider stores them as sent at once,
others through the deliverer; quiet hours defer an ordinary announcement, never a safety one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument

from services.notification import store
from services.notification.commands.drafting import read_settings, store_messages
from services.notification.domain.rules import ANNOUNCEMENT_TEMPLATE, Rule
from services.notification.settings import NotificationSettings
from shared.consumer import Event, typed
from shared.db import Database, UnitOfWork
from shared.envelope import Envelope, new_id, utcnow
from shared.errors import InvalidInput
from shared.periodic import PeriodicJob

STATUSES = ("queued", "sent", "failed")


class LeaseLost(Exception):
    """Another replica holds the announcement now: this chunk is undone, the holder does it."""


async def create(database: Database, *, estate_id: str, company_id: str, by: str, request: dict[str, Any]) -> dict:
    now = utcnow()
    if request["audience"] == "building" and not request.get("building_ids"):
        raise InvalidInput("a building-wide announcement names its buildings", field="building_ids")
    scheduled_at = request.get("scheduled_at") or now
    if scheduled_at.tzinfo is None:
        raise InvalidInput("a time with its offset, e.g. 2026-12-02T09:00:00+08:00", field="scheduled_at")
    announcement = {
        "_id": new_id(), "estate_id": estate_id, "company_id": company_id, "title": request["title"],
        "text": request["text"], "audience": request["audience"],
        "building_ids": request.get("building_ids") or [], "urgency": request["urgency"],
        "scheduled_at": max(scheduled_at, now), "status": "scheduled", "created_by": by, "created_at": now,
        "fanned_out": 0, "cursor": None, "lease_until": None, "lease_owner": None, "started_at": None,
        "fanned_out_at": None,
    }
    await database.db[store.ANNOUNCEMENTS].insert_one(announcement)
    return announcement


def progress(announcement: dict) -> dict:
    """The announcement with its counts: residents reached, messages queued (of them deferred), sent, failed.

    The counts are kept on the announcement by the fan-out and the deliverer, in the transactions that
    change them: reading them costs one document, not a count over ten thousand messages."""
    counts = announcement.get("counts") or {}
    return {**announcement, "counts": {"recipients": announcement["fanned_out"],
                                       **{status: counts.get(status, 0)
                                          for status in (*STATUSES, "deferred", "delivered")}}}


def _as_event(announcement: dict) -> Event:
    """The announcement in the shape of a consumed event: its messages' key and source."""
    envelope = Envelope(id=announcement["_id"], source="/estatedesk/notification",
                        type="estatedesk.notification.announcement.published.v1", subject=announcement["_id"],
                        companyid=announcement["company_id"], estateid=announcement["estate_id"],
                        data={"title": announcement["title"], "text": announcement["text"]})
    return typed(envelope)


def _residents_query(announcement: dict) -> dict:
    query: dict[str, Any] = {"estate_id": announcement["estate_id"], "kind": "resident",
                             "status": {"$ne": "moved_out"}}
    if announcement["audience"] == "building":
        query["building_ids"] = {"$in": announcement["building_ids"]}
    if announcement.get("cursor"):
        query["_id"] = {"$gt": announcement["cursor"]}
    return query


class Announcer:
    def __init__(self, settings: NotificationSettings) -> None:
        self.settings = settings
        self.owner = new_id()

    async def _claim(self, database: Database, now: datetime) -> dict | None:
        lease = now + timedelta(seconds=self.settings.delivery_lease_s)
        # In a transaction: the fan-out and the deliverer write announcements in transactions.
        return await database.transaction(lambda uow: uow.db[store.ANNOUNCEMENTS].find_one_and_update(
            {"status": {"$in": ["scheduled", "sending"]}, "scheduled_at": {"$lte": now},
             "$or": [{"lease_until": None}, {"lease_until": {"$lt": now}}]},
            {"$set": {"lease_until": lease, "lease_owner": self.owner, "status": "sending"}},
            sort=[("scheduled_at", 1)], return_document=ReturnDocument.AFTER, session=uow.session))

    async def run_pass(self, database: Database, settings: NotificationSettings | None = None) -> None:
        while (announcement := await self._claim(database, utcnow())) is not None:
            try:
                while announcement["status"] == "sending":
                    announcement = await database.transaction(lambda uow, a=announcement: self._chunk(uow, a))
            except LeaseLost:
                return

    async def _chunk(self, uow: UnitOfWork, announcement: dict) -> dict:
        """One chunk of residents: their messages and the cursor, together."""
        size = self.settings.announcement_chunk_size
        residents = await uow.db[store.RECIPIENTS].find(_residents_query(announcement), session=uow.session) \
            .sort("_id", 1).to_list(size)
        rule = Rule(id=ANNOUNCEMENT_TEMPLATE, event_type="notification.announcement.published", audience=(),
                    urgency=announcement["urgency"])
        data = {"title": announcement["title"], "text": announcement["text"]}
        event = _as_event(announcement)
        stored = {}
        if residents:
            settings = await read_settings(uow, {announcement["estate_id"]})
            stored = await store_messages(uow, [(event, rule, data, r) for r in residents], settings=settings,
                                          announcement_id=announcement["_id"])
        now = utcnow()
        done = len(residents) < size
        changes: dict[str, Any] = {"cursor": residents[-1]["_id"] if residents else announcement["cursor"],
                                   "lease_until": now + timedelta(seconds=self.settings.delivery_lease_s)}
        if announcement.get("started_at") is None:
            changes["started_at"] = now
        if done:
            changes.update(status="done", fanned_out_at=now, lease_until=None)
        updated = await uow.db[store.ANNOUNCEMENTS].find_one_and_update(
            {"_id": announcement["_id"], "lease_owner": self.owner, "cursor": announcement["cursor"]},
            {"$set": changes, "$inc": {"fanned_out": len(residents),
                                       **{f"counts.{status}": n for status, n in stored.items() if n}}},
            session=uow.session,
            return_document=ReturnDocument.AFTER)
        if updated is None:
            raise LeaseLost(announcement["_id"])
        return updated


async def run_announcer(database: Database, settings: NotificationSettings) -> None:
    """The service's background task: due announcements fanned out, a pass every poll interval."""
    announcer = Announcer(settings)
    await PeriodicJob(name="announcer", run_pass=announcer.run_pass,
                      interval_s=lambda s: s.delivery_poll_interval_s)(database, settings)
