"""Handover due (交班提醒): when a watched shift ends with no handover filed, the staff on it are told
once, before its grace period runs out and the supervisor hears that it is missing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from pymongo.errors import DuplicateKeyError

from services.dispatch.domain import handover as rules
from services.dispatch.store import handover as store
from services.dispatch.store import rosters as duty
from shared.db import Database, UnitOfWork
from shared.envelope import utcnow
from shared.events import HandoverDue, OutgoingStaff

log = structlog.get_logger(__name__)
# Who was on duty is read this long before the end: at the end itself a rostered shift is over.
BEFORE_THE_END = timedelta(seconds=1)


async def announce_due(database: Database, estate: dict[str, Any], *, due: rules.DueShift) -> bool:
    """Emit `dispatch.shift.handover_due` once per shift: the flag is written in the same transaction as
    the event, so a second pass or a second replica emits nothing. False when the shift was handed over,
    already announced, or announced by another replica at the same moment."""
    estate_id = estate["estate_id"]
    key = rules.shift_key(estate_id, due.shift.post, shift_date=due.shift_date, shift_code=due.shift.code)

    async def work(uow: UnitOfWork) -> bool:
        if await store.due_flag(uow, key) or await store.handover_of_shift(uow, key):
            return False
        on_duty = await duty.on_duty(uow, estate_id, at=due.ends_at - BEFORE_THE_END,
                                     department=due.shift.department)
        outgoing = rules.outgoing_staff(on_duty, shift_date=due.shift_date, shift_code=due.shift.code)
        if not outgoing:  # announced all the same: integrators and the missing flag a grace later still see it
            log.info("handover due, nobody on duty found to file it", estate_id=estate_id, shift_key=key)
        await store.claim_due_flag(uow, {"_id": key, "estate_id": estate_id, "announced_at": utcnow(),
                                         "ended_at": due.ends_at, "due_at": due.due_at,
                                         "outgoing_ids": [p["_id"] for p in outgoing]})
        uow.emit(HandoverDue(
            post=due.shift.post, department=due.shift.department, shift_date=due.shift_date,
            shift_code=due.shift.code, ends_at=due.ends_at, due_at=due.due_at,
            outgoing=[OutgoingStaff(staff_id=p["_id"], name=p.get("name")) for p in outgoing],
        ), subject=key, company_id=estate.get("company_id") or "unknown", estate_id=estate_id)
        return True

    try:
        return await database.transaction(work)
    except DuplicateKeyError:  # another replica announced it at the same moment
        return False
