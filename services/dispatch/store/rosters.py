"""Dispatch's database for duty: shift templates, rosters, their shifts, changes, attendance —
and who is on duty at a moment.

A published roster writes one `duty_shifts` document per shift of the month (its real start and
end in UTC, the staff on it); approved swaps, leave, cover and overtime rewrite those documents.
"Who is on duty" reads them by (estate, start time): the shifts that started within the last
`MAX_SHIFT` and have not ended.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING

from shared.cache import TtlCache
from shared.db import Database, UnitOfWork
from shared.envelope import utcnow

SHIFT_TEMPLATES = "shift_templates"
ROSTERS = "rosters"
DUTY_SHIFTS = "duty_shifts"
ROSTER_CHANGES = "roster_changes"
PUNCHES = "attendance_punches"
ATTENDANCE_SETTINGS = "attendance_settings"
STAFF = "staff"
MAX_SHIFT = timedelta(hours=24)
# Who the published rosters put on duty now, per estate: read for every work order, changed by
# roster writes (which drop this process's copy); another replica's change is seen within the TTL.
_rostered_now: TtlCache[tuple] = TtlCache()


def _forget_rostered(uow: UnitOfWork, estate_id: str) -> None:
    """Now and after the commit (a read in between would keep the old answer)."""
    key = f"{uow.db.name}/{estate_id}"
    _rostered_now.forget(key)
    uow.after_commit.append(lambda: _rostered_now.forget(key))


async def ensure_indexes(database: Database) -> None:
    db = database.db
    await db[ROSTERS].create_index([("estate_id", ASCENDING), ("status", ASCENDING), ("covers_until", ASCENDING)])
    await db[DUTY_SHIFTS].create_index([("estate_id", ASCENDING), ("starts_at", ASCENDING)])
    await db[DUTY_SHIFTS].create_index("roster_id")
    await db[ROSTER_CHANGES].create_index([("estate_id", ASCENDING), ("department", ASCENDING), ("status", ASCENDING)])
    await db[PUNCHES].create_index([("estate_id", ASCENDING), ("at", ASCENDING)])


def _session(database: Database | UnitOfWork):
    return getattr(database, "session", None)


async def find(database: Database | UnitOfWork, collection: str, *, document_id: str) -> dict[str, Any] | None:
    return await database.db[collection].find_one({"_id": document_id}, session=_session(database))


# --- rosters and their shifts ---------------------------------------------------------------------


async def save_roster(uow: UnitOfWork, roster: dict[str, Any]) -> None:
    _forget_rostered(uow, roster["estate_id"])
    await uow.db[ROSTERS].replace_one({"_id": roster["_id"]}, roster, upsert=True, session=uow.session)


async def update_roster(uow: UnitOfWork, roster: dict[str, Any], *, fields: dict[str, Any]) -> bool:
    """Write a change if nobody changed the roster since it was read (optimistic, by version)."""
    _forget_rostered(uow, roster["estate_id"])
    result = await uow.db[ROSTERS].update_one(
        {"_id": roster["_id"], "version": roster["version"]}, {"$set": fields, "$inc": {"version": 1}},
        session=uow.session,
    )
    return result.modified_count == 1


async def write_duty_shifts(uow: UnitOfWork, shifts: list[dict[str, Any]]) -> None:
    for estate_id in {shift["estate_id"] for shift in shifts}:
        _forget_rostered(uow, estate_id)
    for shift in shifts:
        await uow.db[DUTY_SHIFTS].replace_one({"_id": shift["_id"]}, shift, upsert=True, session=uow.session)


async def duty_shifts_of(database: Database | UnitOfWork, roster_ids: list[str]) -> list[dict[str, Any]]:
    cursor = database.db[DUTY_SHIFTS].find({"roster_id": {"$in": roster_ids}}, session=_session(database))
    return await cursor.sort("starts_at", ASCENDING).to_list(None)


async def published_rosters(
    database: Database | UnitOfWork, estate_id: str, *, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """Published rosters of the estate whose shifts reach into [since, until)."""
    query = {"estate_id": estate_id, "status": "published", "covers_until": {"$gt": since},
             "covers_from": {"$lt": until}}
    return await database.db[ROSTERS].find(query, {"cells": 0}, session=_session(database)).to_list(None)


# --- changes and leave ---------------------------------------------------------------------------


async def approved_leave(database: Database | UnitOfWork, estate_id: str, *, department: str) -> list[dict[str, Any]]:
    query = {"estate_id": estate_id, "department": department, "status": "approved", "kind": "leave"}
    return await database.db[ROSTER_CHANGES].find(query, session=_session(database)).to_list(None)


async def decide_change(uow: UnitOfWork, change: dict[str, Any], *, fields: dict[str, Any]) -> bool:
    """Decide a change once: only a change still `requested` moves."""
    result = await uow.db[ROSTER_CHANGES].update_one(
        {"_id": change["_id"], "status": "requested"}, {"$set": fields}, session=uow.session
    )
    return result.modified_count == 1


# --- attendance ------------------------------------------------------------------------------------


async def punches_between(database: Database, estate_id: str, *, since: datetime, until: datetime) -> list[dict]:
    query = {"estate_id": estate_id, "at": {"$gte": since, "$lt": until}}
    return await database.db[PUNCHES].find(query).sort("at", ASCENDING).to_list(None)


# --- who is on duty --------------------------------------------------------------------------------


async def rostered_now(database: Database | UnitOfWork, estate_id: str, *, at: datetime) -> tuple[set[str], set, dict]:
    """(the staff the published rosters covering `at` list, their departments, the shift of each
    staff member on a shift at `at`)."""
    session = _session(database)
    rosters = await database.db[ROSTERS].find(
        {"estate_id": estate_id, "status": "published", "covers_until": {"$gt": at}},
        {"staff_ids": 1, "covers_from": 1, "department": 1}, session=session,
    ).to_list(None)
    rosters = [r for r in rosters if r["covers_from"] <= at]
    if not rosters:
        return set(), set(), {}
    members = {staff_id for roster in rosters for staff_id in roster["staff_ids"]}
    shifts = await database.db[DUTY_SHIFTS].find(
        {"estate_id": estate_id, "starts_at": {"$gt": at - MAX_SHIFT, "$lte": at}, "ends_at": {"$gt": at}},
        session=session,
    ).to_list(None)
    covering = {roster["_id"] for roster in rosters}
    on_shift = {}
    for shift in shifts:
        if shift["roster_id"] in covering:
            for staff_id in [*shift["staff_ids"], *shift.get("overtime_ids", [])]:
                on_shift[staff_id] = shift
    return members | set(on_shift), {roster["department"] for roster in rosters}, on_shift


async def on_duty(
    database: Database | UnitOfWork, estate_id: str, *, at: datetime | None = None, department: str | None = None,
    position: str | None = None,
) -> list[dict[str, Any]]:
    """Staff on duty at `at` (default now), by department and position.

    Where a published roster covers the moment, it decides for its department's ordinary staff
    (position `staff`) and for everyone it lists: those on a shift now are on duty (approved swaps,
    cover and overtime applied, approved leave taken out), the others are not, whatever their flag.
    Everyone else keeps the manual on-duty flag: estates and departments without a roster, and the
    supervisors, managers and duty leaders a roster does not list. Someone marked on leave is never
    on duty. Each document carries `duty_shift` (the shift, or None when the flag decides).
    """
    if at is None:  # now: this process's copy of the rosters' answer, at most a TTL old
        now = utcnow()
        members, departments, on_shift = await _rostered_now.get(
            f"{database.db.name}/{estate_id}", lambda: rostered_now(database, estate_id, at=now))
    else:
        members, departments, on_shift = await rostered_now(database, estate_id, at=at)
    query: dict[str, Any] = {"estate_id": estate_id, "on_leave": {"$ne": True}}
    if department:
        query["department"] = department
    if position:
        query["position"] = position
    if members:
        flagged = {"on_duty": True, "_id": {"$nin": sorted(members)},
                   "$or": [{"department": {"$nin": sorted(departments)}}, {"position": {"$ne": "staff"}}]}
        query["$or"] = [{"_id": {"$in": sorted(on_shift)}}, flagged]
    else:
        query["on_duty"] = True
    staff = await database.db[STAFF].find(query, session=_session(database)).sort("_id", ASCENDING).to_list(None)
    for person in staff:
        shift = on_shift.get(person["_id"])
        person["duty_shift"] = shift and {
            "roster_id": shift["roster_id"], "day": shift["day"], "shift": shift["shift"], "name": shift["name"],
            "starts_at": shift["starts_at"], "ends_at": shift["ends_at"],
            "overtime": person["_id"] in shift.get("overtime_ids", []),
        }
    return staff
