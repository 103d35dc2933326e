"""Reading the figures of an estate, or of every estate of the caller's scope, for a day, week or month.

Rolled up at read time from the day documents (a month is at most 31 of them per estate); the backlog
carried over is the sum of the earlier days' movements, read as one field of each earlier day.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from services.reporting import store
from services.reporting.domain import readout
from shared.auth import Principal
from shared.db import Database
from shared.errors import InvalidInput

EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


def check_day(day: date) -> None:
    """Report days are this millennium's (a period around year 1 or 9999 has no day before or after)."""
    if not EARLIEST <= day <= LATEST:
        raise InvalidInput(f"the day must be between {EARLIEST} and {LATEST}", field="day")


async def scope_of(principal: Principal, estate_id: str | None) -> dict[str, Any]:
    """The day documents the caller asks for: one estate (checked) or all of the caller's."""
    if estate_id is None:
        return principal.estate_filter()
    await principal.require_estate(estate_id)
    return {**principal.estate_filter(), "estate_id": estate_id}


async def figures_between(database: Database, scope: dict[str, Any], *, first: date, last: date,
                          by_estate: bool = False) -> dict[str, Any]:
    """The period's figures of the scope together; with `by_estate`, each estate's too (from the same reads)."""
    estate_ids = [scope["estate_id"]] if isinstance(scope.get("estate_id"), str) else await store.estates_in(
        database, scope)
    # Three reads by `_id`, independent of each other: at once, so a report waits for one round trip, not three.
    documents, units, open_before = await asyncio.gather(
        store.days_between(database, scope, estate_ids=estate_ids, first=first, last=last),
        store.unit_counts(database, scope, estate_ids=estate_ids),
        store.open_before(database, scope, estate_ids=estate_ids, day=first))
    shown = sorted({d["estate_id"] for d in documents})
    figures = _figures(documents, sum(units.values()), open_before=sum(open_before.values()), first=first, last=last,
                       estates=shown)
    if by_estate:
        figures["by_estate"] = {
            estate_id: _figures([d for d in documents if d["estate_id"] == estate_id], units.get(estate_id, 0),
                                open_before=open_before.get(estate_id, 0), first=first, last=last, estates=[estate_id])
            for estate_id in estate_ids}  # every estate of the scope, a quiet one with its zeros
    return figures


def _figures(documents: list[dict[str, Any]], units: int, *, open_before: int, first: date, last: date,
             estates: list[str]) -> dict[str, Any]:
    figures = readout.figures_of(readout.roll_up(documents), units=units or None, open_before=open_before)
    return {"from": first.isoformat(), "to": last.isoformat(), "estates": estates, "units": units, **figures}


async def figures_of_period(database: Database, scope: dict[str, Any], *, day: date, period: str) -> dict[str, Any]:
    first, last = readout.period_of(day, period)
    return {"period": period, **await figures_between(database, scope, first=first, last=last)}
