"""The call log (来电记录): contacts by estate, day, channel, agent, outcome and answered-in-time; pages or a file."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.intake import store
from services.intake.commands.estates import find_estate_in_scope
from services.intake.domain import call_log as rules
from shared.auth import Principal
from shared.db import Database
from shared.errors import InvalidInput
from shared.pagination import PageRequest, fetch_page, id_floor

EXPORT_LIMIT = 50_000  # rows in one download; a longer log is asked for day by day


async def _query(database: Database, principal: Principal, *, estate_id: str, day: date | None,
                 conditions: dict[str, Any]) -> tuple[dict[str, Any], str]:
    estate = await find_estate_in_scope(database, principal, estate_id=estate_id)
    query: dict[str, Any] = {**principal.estate_filter(), "estate_id": estate["_id"], **conditions}
    if day is not None:  # contact ids are ULIDs: the day is a range of the (estate, _id) index
        start, end = rules.day_window(day, estate["time_zone"])
        query["$and"] = [{"_id": {"$gte": id_floor(start), "$lt": id_floor(end)}}]
    return query, estate["time_zone"]


async def contacts_page(database: Database, principal: Principal, *, estate_id: str, day: date | None,
                        conditions: dict[str, Any], page: PageRequest) -> tuple[list[dict], str | None]:
    query, _ = await _query(database, principal, estate_id=estate_id, day=day, conditions=conditions)
    return await fetch_page(database.db[store.CONTACTS], query, page=page)


async def contacts_table(database: Database, principal: Principal, *, estate_id: str, day: date | None,
                         conditions: dict[str, Any]) -> list[list[Any]]:
    """Every matching contact, oldest first, as the rows of the downloaded log."""
    query, time_zone = await _query(database, principal, estate_id=estate_id, day=day, conditions=conditions)
    cursor = database.db[store.CONTACTS].find(query).sort("_id", 1)
    contacts = await cursor.to_list(EXPORT_LIMIT + 1)
    if len(contacts) > EXPORT_LIMIT:
        raise InvalidInput(f"more than {EXPORT_LIMIT} contacts; download the log day by day", field="day")
    return [rules.row(contact, time_zone) for contact in contacts]
