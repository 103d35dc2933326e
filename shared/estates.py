"""The estate projection other services keep from `intake.estate.registered`, and local days.

Times are stored in UTC; business days and report days are the estate's local days. Intake's own
registry and every projection keep the estate's company: the scope check of every request asks it.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared.cache import TtlCache
from shared.db import Database, UnitOfWork
from shared.envelope import Envelope

DEFAULT_TIME_ZONE = "Asia/Shanghai"
ESTATES = "estates"


def local_day(moment: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> date:
    return moment.astimezone(ZoneInfo(time_zone)).date()


async def project_estate(uow: UnitOfWork, envelope: Envelope) -> None:
    """Handler for `intake.estate.registered` in any service that needs estates."""
    data = envelope.data
    key = f"{uow.db.name}/{data['estate_id']}"
    _time_zones.forget(key)
    uow.after_commit.append(lambda: _time_zones.forget(key))
    await uow.db[ESTATES].update_one(
        {"_id": data["estate_id"]},
        {"$set": {
            "company_id": envelope.companyid, "estate_id": data["estate_id"], "name": data["name"],
            "time_zone": data.get("time_zone") or DEFAULT_TIME_ZONE, "registered_at": envelope.time,
        }},
        upsert=True,
        session=uow.session,
    )


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
