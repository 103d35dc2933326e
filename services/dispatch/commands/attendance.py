"""Attendance (考勤): clocking in and out, and the monthly sheet derived against the published rosters."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from services.dispatch import store
from services.dispatch.commands.inputs.rosters import AttendanceSettings, ClockRequest
from services.dispatch.domain import attendance as rules
from services.dispatch.domain.rosters import local_midnight, month_days, parse_month
from services.dispatch.store import rosters as duty
from shared.auth import Principal
from shared.db import Database
from shared.envelope import new_id, utcnow
from shared.errors import Forbidden, InvalidInput
from shared.estates import estate_time_zone
from shared.lookup import found

CORRECTORS = {"supervisor", "estate_manager", "company_admin"}


async def tolerances(database: Database, estate_id: str) -> rules.Tolerances:
    document = await duty.find(database, duty.ATTENDANCE_SETTINGS, document_id=estate_id)
    return rules.Tolerances(**{k: document[k] for k in ("late_minutes", "early_leave_minutes")}) if document \
        else rules.Tolerances()


async def set_settings(database: Database, principal: Principal, *, estate_id: str, body: AttendanceSettings) -> dict:
    await principal.require_estate(estate_id)
    document = {"estate_id": estate_id, "company_id": principal.company_id, **body.model_dump()}
    await database.transaction(lambda uow: uow.db[duty.ATTENDANCE_SETTINGS].replace_one(
        {"_id": estate_id}, document, upsert=True, session=uow.session))
    return {"estate_id": estate_id, **body.model_dump()}


async def clock(database: Database, principal: Principal, *, estate_id: str, kind: str, body: ClockRequest) -> dict:
    """The staff member clocks in or out now; a supervisor may record a missed one (补卡) with its time."""
    await principal.require_estate(estate_id)
    correcting = body.staff_id not in (None, principal.user_id) or body.at is not None
    if correcting and not CORRECTORS.intersection(principal.roles):
        raise Forbidden("only a supervisor records a clock-in or -out for someone else or at another time")
    staff_id = body.staff_id or principal.user_id
    scope = {"estate_id": estate_id, "company_id": principal.company_id}
    found(await store.find_one(database, store.STAFF, document_id=staff_id, scope=scope), "staff member")
    now = utcnow()
    at = body.at or now
    if at.tzinfo is None:
        raise InvalidInput("give the time with its offset, e.g. 2026-12-01T08:03:00+08:00", field="at")
    if at > now + timedelta(minutes=1):
        raise InvalidInput("a clock time may not be in the future", field="at")
    punch = {"_id": new_id(), "estate_id": estate_id, "company_id": principal.company_id, "staff_id": staff_id,
             "kind": kind, "at": at, "recorded_by": principal.user_id, "recorded_at": now}
    await database.transaction(lambda uow: uow.db[duty.PUNCHES].insert_one(punch, session=uow.session))
    matched = await _shift_of(database, estate_id, staff_id=staff_id, at=at, kind=kind)
    answer = {**punch, "id": punch["_id"], "shift": None}
    if matched:
        record = rules.attend(matched, [_punch(punch)], now=max(now, at),
                              tolerances=await tolerances(database, estate_id))
        answer.update(shift={"day": matched.day.isoformat(), "shift": matched.shift, "starts_at": matched.starts_at,
                             "ends_at": matched.ends_at},
                      late_minutes=record.late_minutes, early_leave_minutes=record.early_leave_minutes)
    return answer


def _punch(document: dict[str, Any]) -> rules.Punch:
    return rules.Punch(document["staff_id"], document["kind"], document["at"])


async def _shift_of(database: Database, estate_id: str, *, staff_id: str, at: datetime, kind: str):
    """The rostered shift a clock-in or -out belongs to, if any."""
    early, late = (rules.CLOCK_IN_EARLIEST, timedelta(0)) if kind == "in" else (timedelta(0), rules.CLOCK_OUT_LATEST)
    shifts = await rostered_shifts(database, estate_id, since=at - duty.MAX_SHIFT - late,
                                   until=at + early + timedelta(seconds=1))
    for shift in shifts:
        if shift.staff_id == staff_id and shift.starts_at - early <= at <= shift.ends_at + late:
            return shift
    return None


async def rostered_shifts(database: Database, estate_id: str, *, since: datetime, until: datetime,
                          department: str | None = None) -> list[rules.RosteredShift]:
    """Each person's shifts of the published rosters that start in [since, until)."""
    query: dict[str, Any] = {"estate_id": estate_id, "starts_at": {"$gte": since, "$lt": until}}
    if department:
        query["department"] = department
    documents = await database.db[duty.DUTY_SHIFTS].find(query).to_list(None)
    published = {r["_id"] for r in await duty.published_rosters(database, estate_id, since=since, until=until)}
    return [rules.RosteredShift(staff_id, date.fromisoformat(d["day"]), d["shift"], d["starts_at"], d["ends_at"],
                                d["night"], d["rest_day"], overtime=staff_id in d.get("overtime_ids", []))
            for d in documents if d["roster_id"] in published
            for staff_id in [*d["staff_ids"], *d.get("overtime_ids", [])]]


async def monthly_sheet(database: Database, principal: Principal, *, estate_id: str, month: str,
                        department: str | None) -> list[rules.SheetRow]:
    """One row per person for the shifts that start in the month (local days), however late they end."""
    await principal.require_estate(estate_id)
    try:
        days = month_days(*parse_month(month))
    except ValueError as error:
        raise InvalidInput(str(error), field="month") from error
    time_zone = await estate_time_zone(database, estate_id)
    since, until = local_midnight(days[0], time_zone), local_midnight(days[-1] + timedelta(days=1), time_zone)
    shifts = await rostered_shifts(database, estate_id, since=since, until=until, department=department)
    punches = await duty.punches_between(database, estate_id, since=since - rules.CLOCK_IN_EARLIEST,
                                         until=until + duty.MAX_SHIFT + rules.CLOCK_OUT_LATEST)
    staff = await database.db[store.STAFF].find({"estate_id": estate_id, **principal.estate_filter()},
                                                {"name": 1}).to_list(None)
    return rules.sheet(shifts, [_punch(p) for p in punches], now=utcnow(),
                       tolerances=await tolerances(database, estate_id),
                       names={s["_id"]: s["name"] for s in staff})
