"""The estate projection other services keep from `intake.estate.registered`, and local days.

Times are stored in UTC; business days and report days are the estate's local days.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared.db import Database, UnitOfWork
from shared.envelope import Envelope

DEFAULT_TIME_ZONE = "Asia/Shanghai"
ESTATES = "estates"


def local_day(moment: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> date:
    return moment.astimezone(ZoneInfo(time_zone)).date()


async def project_estate(uow: UnitOfWork, envelope: Envelope) -> None:
    """Handler for `intake.estate.registered` in any service that needs estates."""
    data = envelope.data
    await uow.db[ESTATES].update_one(
        {"_id": data["estate_id"]},
        {"$set": {
            "company_id": envelope.companyid, "estate_id": data["estate_id"], "name": data["name"],
            "time_zone": data.get("time_zone") or DEFAULT_TIME_ZONE, "registered_at": envelope.time,
        }},
        upsert=True,
        session=uow.session,
    )


async def estate_time_zone(database: Database | UnitOfWork, estate_id: str) -> str:
    """The estate's time zone, or the default when its registration has not arrived yet."""
    session = getattr(database, "session", None)
    estate = await database.db[ESTATES].find_one({"_id": estate_id}, {"time_zone": 1}, session=session)
    return (estate or {}).get("time_zone") or DEFAULT_TIME_ZONE
