"""Handover due against the real database: the watch announces a shift once, to the staff its published
roster put on it, whatever two replicas or a second try do; the missing flag still comes a grace later."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from services.dispatch.commands.handover import watch_handovers
from services.dispatch.commands.handover_due import announce_due
from services.dispatch.domain import handover as rules
from services.dispatch.settings import DispatchSettings
from services.dispatch.store import handover as store
from services.dispatch.store import rosters as duty
from shared.db import OUTBOX, outbox_envelope

ESTATE = "estate-due"
DAY = date(2026, 11, 26)
END = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai, the estate's (default) time zone
GRACE = timedelta(minutes=15)
SHIFT = {"code": "day", "start": "08:00", "end": "16:00"}


async def _seed(database) -> None:
    db = database.db
    posts = [{"post": post, "name": post, "department": "security", "shifts": [SHIFT]} for post in ("gate-1", "gate-2")]
    await database.transaction(lambda uow: store.set_duty_posts(uow, ESTATE, document={
        "posts": posts, "grace_s": int(GRACE.total_seconds()), "watched_since": END - timedelta(days=1),
        "company_id": "company-d"}))
    await db["staff"].insert_many([
        {"_id": f"guard-{x}", "estate_id": ESTATE, "name": name, "department": "security", "position": "staff",
         "on_duty": True} for x, name in (("a", "李保安"), ("b", "王保安"))])
    # The roster lists both; only guard-a works the day shift, so guard-b's on-duty flag does not count.
    await db[duty.ROSTERS].insert_one({
        "_id": "roster-1", "estate_id": ESTATE, "department": "security", "status": "published",
        "covers_from": END - timedelta(days=10), "covers_until": END + timedelta(days=10),
        "staff_ids": ["guard-a", "guard-b"]})
    await db[duty.DUTY_SHIFTS].insert_one({
        "_id": "roster-1:2026-11-26:day", "roster_id": "roster-1", "estate_id": ESTATE, "department": "security",
        "day": DAY.isoformat(), "shift": "day", "name": "白班", "starts_at": END - timedelta(hours=8), "ends_at": END,
        "staff_ids": ["guard-a"], "overtime_ids": []})
    gate_1 = rules.shift_key(ESTATE, "gate-1", shift_date=DAY, shift_code="day")
    await db[store.HANDOVERS].insert_one({"_id": "h-1", "shift_key": gate_1, "estate_id": ESTATE})  # filed in time
    await database.transaction(lambda uow: store.watch_checked_until(uow, END - timedelta(minutes=1)))


async def _events(database, kind: str) -> list[dict]:
    found = await database.db[OUTBOX].find({"type": f"estatedesk.dispatch.shift.{kind}.v1"}).to_list(None)
    return [outbox_envelope(document).data for document in found]


async def test_two_replicas_and_a_second_try_announce_a_due_handover_once_to_the_rostered_guard(database):
    await _seed(database)
    settings = DispatchSettings()
    after_end = END + timedelta(seconds=30)
    # Two replicas' passes at the same moment, over the same window.
    emitted = await asyncio.gather(watch_handovers(database, settings, now=after_end),
                                   watch_handovers(database, settings, now=after_end))
    assert sum(emitted) == 1
    due = rules.DueShift(rules.WatchedShift("gate-2", "security", "day", "08:00", "16:00"), DAY, END, END + GRACE)
    estate = await store.duty_posts(database, ESTATE)
    assert await announce_due(database, estate, due=due) is False  # a retried pass
    [announced] = await _events(database, "handover_due")
    assert (announced["post"], announced["shift_code"], announced["shift_date"]) == ("gate-2", "day", "2026-11-26")
    assert announced["outgoing"] == [{"staff_id": "guard-a", "name": "李保安"}]
    assert (announced["ends_at"], announced["due_at"]) == ("2026-11-26T08:00:00Z", "2026-11-26T08:15:00Z")
    assert await _events(database, "handover_missing") == []

    # A grace later the same shift is missing (the supervisor's flag), and is not announced due again.
    assert await watch_handovers(database, settings, now=END + GRACE + timedelta(seconds=30)) == 1
    assert [m["post"] for m in await _events(database, "handover_missing")] == ["gate-2"]
    assert len(await _events(database, "handover_due")) == 1
