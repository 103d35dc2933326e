"""Daily close (日结) per clerk: totals by method, counted cash, the difference (长短款) recorded.

Each clerk's business day has a small document that every payment, reversal and deposit refund of that day
touches and the close marks closed: a payment racing a close conflicts with it (one of them is
retried), and once the day is closed later payments belong to the next day.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel
from pymongo.errors import DuplicateKeyError

from services.billing import store
from services.billing.commands.fee_items import find_estate
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.envelope import new_id, utcnow
from shared.errors import Conflict, InvalidInput
from shared.estates import estate_time_zone, local_day
from shared.events import DayClosed
from shared.money import fen_to_text, text_to_fen

METHODS = ("cash", "wechat_pay", "alipay", "bank_transfer", "card")


class DayCloseInput(BaseModel):
    estate_id: str
    day: date
    counted_cash: str
    note: str | None = None


def _key(estate_id: str, clerk_id: str, *, day: date) -> str:
    return f"{estate_id}:{clerk_id}:{day.isoformat()}"


async def business_day(uow: UnitOfWork, estate_id: str, *, clerk_id: str, now) -> str:
    """The clerk's open business day for a payment or reversal made now (the next one after a closed day)."""
    day = local_day(now, await estate_time_zone(uow, estate_id))
    while (held := await store.find_one(uow, store.CLERK_DAYS, query={"_id": _key(estate_id, clerk_id, day=day)})) and \
            held.get("closed"):
        day += timedelta(days=1)
    key = _key(estate_id, clerk_id, day=day)
    if held is None:
        await uow.db[store.CLERK_DAYS].insert_one({"_id": key, "closed": False, "entries": 1}, session=uow.session)
    else:
        await uow.db[store.CLERK_DAYS].update_one({"_id": key}, {"$inc": {"entries": 1}}, session=uow.session)
    return day.isoformat()


async def close_day(database: Database, principal: Principal, *, request: DayCloseInput) -> dict[str, Any]:
    estate = await find_estate(database, principal, estate_id=request.estate_id)
    if request.day > local_day(utcnow(), estate["time_zone"]):
        raise InvalidInput("a day is closed when it is over or ending, not before", field="day")
    try:
        counted = text_to_fen(request.counted_cash)
    except ValueError as error:
        raise InvalidInput("an amount with at most two decimal places", field="counted_cash") from error
    if counted < 0:
        raise InvalidInput("counted cash is not negative", field="counted_cash")
    clerk, day = principal.user_id, request.day.isoformat()
    key = _key(request.estate_id, clerk, day=request.day)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        held = await store.find_one(uow, store.CLERK_DAYS, query={"_id": key})
        if held and held.get("closed"):
            raise Conflict(f"{day} is closed already for {clerk}", field="day")
        scope = {"estate_id": request.estate_id, "clerk_id": clerk, "business_day": day}
        totals: dict[str, int] = defaultdict(int)
        payments = await store.find_all(uow, store.PAYMENTS, query=scope, projection={"method": 1, "amount_fen": 1})
        for payment in payments:
            totals[payment["method"]] += payment["amount_fen"]
        reversals = await store.find_all(uow, store.REVERSALS, query=scope, projection={"method": 1, "amount_fen": 1})
        for reversal in reversals:
            totals[reversal["method"]] -= reversal["amount_fen"]
        refunds = await store.find_all(uow, store.DEPOSIT_REFUNDS, query=scope,
                                       projection={"method": 1, "amount_fen": 1})
        for refund in refunds:  # 退押金 paid out
            totals[refund["method"]] -= refund["amount_fen"]
        now = utcnow()
        close = {"_id": new_id(), "key": key, "estate_id": request.estate_id, "company_id": estate["company_id"],
                 "clerk_id": clerk, "day": day, "totals_fen": {m: totals.get(m, 0) for m in METHODS},
                 "payments": len(payments), "reversals": len(reversals), "refunds": len(refunds),
                 "expected_cash_fen": totals.get("cash", 0),
                 "counted_cash_fen": counted, "over_short_fen": counted - totals.get("cash", 0),
                 "note": request.note, "closed_at": now}
        if held is None:
            await uow.db[store.CLERK_DAYS].insert_one({"_id": key, "closed": True, "entries": 0}, session=uow.session)
        else:
            await uow.db[store.CLERK_DAYS].update_one({"_id": key}, {"$set": {"closed": True}}, session=uow.session)
        await uow.db[store.DAY_CLOSES].insert_one(close, session=uow.session)
        uow.emit(DayClosed(day_close_id=close["_id"], clerk_id=clerk, day=request.day,
                           totals={m: fen_to_text(v) for m, v in close["totals_fen"].items()},
                           counted_cash=fen_to_text(counted), over_short=fen_to_text(close["over_short_fen"]),
                           closed_at=now), subject=close["_id"], company_id=estate["company_id"],
                 estate_id=request.estate_id)
        return close

    try:
        return close_public(await database.transaction(work))
    except DuplicateKeyError as duplicate:
        raise Conflict(f"{day} is closed already for {clerk}", field="day") from duplicate


def close_public(close: dict[str, Any]) -> dict[str, Any]:
    return {"id": close["_id"], "estate_id": close["estate_id"], "clerk_id": close["clerk_id"], "day": close["day"],
            "totals": {m: fen_to_text(v) for m, v in close["totals_fen"].items()}, "payments": close["payments"],
            "reversals": close["reversals"], "refunds": close.get("refunds", 0),
            "expected_cash": fen_to_text(close["expected_cash_fen"]),
            "counted_cash": fen_to_text(close["counted_cash_fen"]), "over_short": fen_to_text(close["over_short_fen"]),
            "note": close.get("note"), "closed_at": close["closed_at"]}
