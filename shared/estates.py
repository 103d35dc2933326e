"""The estate projection other services keep from `intake.estate.registered`, and local days.

Times are stored in UTC; business days and report days are the estate's local days. Intake's own
registry and every projection keep the estate's company: the scope check of every request asks it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pymongo import UpdateOne

from shared.cache import TtlCache
from shared.consumer import Event, batched
from shared.db import Database, UnitOfWork
from shared.events import EstateRegistered

DEFAULT_TIME_ZONE = "Asia/Shanghai"
ESTATES = "estates"


def local_day(moment: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> date:
    return moment.astimezone(ZoneInfo(time_zone)).date()


@batched
async def project_estates(uow: UnitOfWork, events: list[Event[EstateRegistered]]) -> None:
    """Handler for `intake.estate.registered` in any service that needs estates: one write per batch,
    made at once, so that a handler calling it can read the estates back in the same batch."""
    writes = [UpdateOne(*_projection(uow, event), upsert=True) for event in events]
    if writes:
        await uow.db[ESTATES].bulk_write(writes, ordered=True, session=uow.session)


def _projection(uow: UnitOfWork, event: Event[EstateRegistered]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The estate's projection (filter and change); this process's copy of its time zone is dropped."""
    estate, envelope = event.payload, event.envelope
    key = f"{uow.db.name}/{estate.estate_id}"
    _time_zones.forget(key)
    uow.after_commit.append(lambda: _time_zones.forget(key))
    return {"_id": estate.estate_id}, {"$set": {
        "company_id": envelope.companyid, "estate_id": estate.estate_id, "name": estate.name,
        "time_zone": estate.time_zone or DEFAULT_TIME_ZONE, "registered_at": envelope.time,
    }}


# An estate's time zone is read for every event and order; the registration event refreshes it.
_time_zones: TtlCache[str] = TtlCache()


async def estate_time_zone(database: Database | UnitOfWork, estate_id: str) -> str:
    """The estate's time zone, or the default when its registration has not arrived yet."""
    session = getattr(database, "session", None)

    async def load() -> str | None:
        estate = await database.db[ESTATES].find_one({"_id": estate_id}, {"time_zone": 1}, session=session)
        return (estate or {}).get("time_zone")  # not cached until the estate is known

    return await _time_zones.get(f"{database.db.name}/{estate_id}", load) or DEFAULT_TIME_ZONE


# An estate's company never changes, so a process keeps it for minutes; an estate not known
# yet is asked again on every request (it answers 404 until its registration has arrived).
_companies: TtlCache[str] = TtlCache(ttl_s=300.0)


async def estate_company(database: Database, estate_id: str) -> str | None:
    """The company of a registered estate, from this service's own registry or projection."""

    async def load() -> str | None:
        estate = await database.db[ESTATES].find_one({"_id": estate_id}, {"company_id": 1})
        return (estate or {}).get("company_id")

    return await _companies.get(f"{database.db.name}/{estate_id}", load)
