"""Who holds a position: an estate's (supervisor, managers) or the company's (duty leader, with its roster).

A company position's holders are staff documents with `estate_id: None` and the company's id;
its roster (公司值班领导表) is one document per company and position: who holds it from when to when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING

from services.dispatch.domain import positions as rules
from services.dispatch.store import STAFF
from services.dispatch.store import rosters as duty
from shared.db import Database, UnitOfWork
from shared.envelope import utcnow

COMPANY_ROSTERS = "company_rosters"


def _session(database: Database | UnitOfWork):
    return getattr(database, "session", None)


async def holding_position(
    database: Database | UnitOfWork, *, estate_id: str | None, company_id: str, position: str
) -> list[dict[str, Any]]:
    """Everyone registered in `position` (of the estate, or of the company when `estate_id` is None)."""
    query = {"estate_id": estate_id, "company_id": company_id, "position": position}
    cursor = database.db[STAFF].find(query, session=_session(database)).sort("_id", ASCENDING)
    return await cursor.to_list(None)


async def company_roster(database: Database | UnitOfWork, company_id: str, *, position: str) -> dict[str, Any] | None:
    return await database.db[COMPANY_ROSTERS].find_one({"_id": f"{company_id}:{position}"},
                                                       session=_session(database))


async def set_company_roster(uow: UnitOfWork, company_id: str, *, position: str, entries: list[dict]) -> dict:
    document = {"company_id": company_id, "position": position, "entries": entries, "updated_at": utcnow()}
    await uow.db[COMPANY_ROSTERS].replace_one({"_id": f"{company_id}:{position}"}, document, upsert=True,
                                              session=uow.session)
    return await company_roster(uow, company_id, position=position)


async def _rostered(database: Database | UnitOfWork, company_id: str, *, position: str, at: datetime,
                    holders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    roster = await company_roster(database, company_id, position=position)
    by_id = {person["_id"]: person for person in holders if not person.get("on_leave")}
    covering = [e for e in (roster or {}).get("entries", []) if e["starts_at"] <= at < e["ends_at"]]
    return [by_id[e["staff_id"]] for e in covering if e["staff_id"] in by_id]


async def on_duty_in(database: Database | UnitOfWork, *, estate_id: str, company_id: str, position: str,
                     at: datetime | None = None) -> tuple[dict[str, Any] | None, str | None]:
    """Who holds `position` on duty at `at` for the estate (rostered or flagged), and how; (None, None) if nobody."""
    at = at or utcnow()
    if rules.is_company_position(position):
        holders = await holding_position(database, estate_id=None, company_id=company_id, position=position)
        if rostered := await _rostered(database, company_id, position=position, at=at, holders=holders):
            return rostered[0], "roster"
        flagged = [p for p in holders if p.get("on_duty") and not p.get("on_leave")]
        return (flagged[0], "on_duty") if flagged else (None, None)
    on_duty = await duty.on_duty(database, estate_id, at=at, position=position)
    return (on_duty[0], "on_duty") if on_duty else (None, None)


async def reach(database: Database | UnitOfWork, *, estate_id: str, company_id: str, position: str,
                at: datetime | None = None) -> tuple[dict[str, Any] | None, str | None]:
    """The person a ladder level reaches for the estate, and how (roster, on_duty, on_call, phone)."""
    person, via = await on_duty_in(database, estate_id=estate_id, company_id=company_id, position=position, at=at)
    if person is not None:
        return person, via
    holder_estate = None if rules.is_company_position(position) else estate_id
    holders = await holding_position(database, estate_id=holder_estate, company_id=company_id, position=position)
    return rules.off_duty_holder(holders)
