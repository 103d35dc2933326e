"""Meter readings (抄表): consumption from the previous reading, billed as a metered line.

A reading names the period it measures, so one read late still belongs to its month. A reading
lower than the previous one is refused unless it is a meter replacement (the new meter counts
from zero). The first reading of a meter (or the one noted at a move-in's handover) is its baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel
from pymongo.errors import DuplicateKeyError

from services.billing import store
from services.billing.commands.bill_events import issued
from services.billing.commands.balances import draw_on_balances
from services.billing.commands.ledger import find_unit
from services.billing.domain import fees
from services.billing.domain.bills import new_line
from services.billing.domain.periods import Period, parse_period, refuse_future
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.envelope import Envelope, new_id, utcnow
from shared.errors import Conflict, InvalidInput
from shared.estates import estate_time_zone, local_day
from shared.money import fen_to_text, text_to_hundredths

Meter = Literal["water", "electricity"]


class ReadingInput(BaseModel):
    unit_id: str
    meter: str
    reading: str
    read_on: date
    period: str | None = None  # the month measured; default the month of `read_on`
    replacement: bool = False


def _quantity(text: str) -> int:
    try:
        value = text_to_hundredths(text)
    except ValueError as error:
        raise InvalidInput("a reading is a decimal with at most two places", field="reading") from error
    if value < 0:
        raise InvalidInput("a reading is not negative", field="reading")
    return value


async def _latest(uow: UnitOfWork | Database, unit_id: str, *, meter: str) -> dict[str, Any] | None:
    readings = await store.find_all(uow, store.METER_READINGS, query={"unit_id": unit_id, "meter": meter},
                                    sort=[("period", -1), ("_id", -1)])
    return readings[0] if readings else None


@dataclass(frozen=True)
class Prepared:
    item: dict[str, Any]
    period: Period
    current: int
    price: fees.PriceInForce


async def prepare(database: Database, unit: dict[str, Any], *, request: ReadingInput) -> Prepared:
    """Everything about a reading that needs no transaction: the meter's item, the period, the value, the tariff."""
    item = await store.find_one(database, store.FEE_ITEMS, query={"estate_id": unit["estate_id"], "code": request.meter,
                                                                  "formula": "metered"})
    if item is None:
        raise InvalidInput(f"no metered item {request.meter!r} in this estate", field="meter")
    period = parse_period(request.period or f"{request.read_on:%Y-%m}")
    today = local_day(utcnow(), await estate_time_zone(database, unit["estate_id"]))
    refuse_future(period, today)
    if request.read_on > today:
        raise InvalidInput("a reading is not taken in the future", field="read_on")
    current = _quantity(request.reading)
    price = fees.price_in_force(item["prices"], period.start)
    if price is None or not price.tiers:
        raise InvalidInput(f"{request.meter} has no tariff in force on {period.start}", field="meter")
    return Prepared(item, period, current, price)


async def record(uow: UnitOfWork, principal: Principal, *, unit: dict[str, Any], request: ReadingInput,
                 prepared: Prepared) -> dict[str, Any]:
    """The reading, and (after a meter's first) its metered line, in the caller's transaction."""
    item, period, current, price = prepared.item, prepared.period, prepared.current, prepared.price
    previous = await _latest(uow, unit["_id"], meter=request.meter)
    if previous is not None and previous["period"] >= period.code:
        raise Conflict(f"{request.meter} of this unit has a reading for {previous['period']} already", field="period")
    reading = {"_id": new_id(), "estate_id": unit["estate_id"], "company_id": unit["company_id"],
               "unit_id": unit["_id"], "meter": request.meter, "period": period.code, "reading": fen_to_text(current),
               "reading_hundredths": current, "read_on": request.read_on.isoformat(),
               "replacement": request.replacement, "line_id": None, "by": principal.user_id, "at": utcnow()}
    if previous is not None:
        start = "0.00" if request.replacement else previous["reading"]
        if not request.replacement and current < previous["reading_hundredths"]:
            raise InvalidInput(f"lower than the previous reading {previous['reading']}; a new meter is a "
                               "replacement", field="reading")
        rule = fees.metered_rule(fen_to_text(text_to_hundredths(start)), fen_to_text(current), tiers=price.tiers,
                                 price_from=price.valid_from)
        rule.update(period=period.code, meter=request.meter, replacement=request.replacement)
        line = new_line(key=f"{unit['_id']}:{request.meter}:{period.code}", estate_id=unit["estate_id"],
                        company_id=unit["company_id"], unit_id=unit["_id"], item=item, period=period.code,
                        due_date=period.due_date(item["due_day"]), rule=rule, amount_fen=fees.compute(rule),
                        at=reading["at"], source={"meter_reading_id": reading["_id"]})
        await uow.db[store.BILL_LINES].insert_one(line, session=uow.session)
        await draw_on_balances(uow, [line], at=reading["at"])
        issued(uow, [line], units={unit["_id"]: unit})
        reading["line_id"] = line["_id"]
    await uow.db[store.METER_READINGS].insert_one(reading, session=uow.session)
    return reading


async def record_reading(database: Database, principal: Principal, *, request: ReadingInput) -> dict[str, Any]:
    unit = await find_unit(database, principal, unit_id=request.unit_id, field="unit_id")
    prepared = await prepare(database, unit, request=request)
    try:
        return reading_public(await database.transaction(
            lambda uow: record(uow, principal, unit=unit, request=request, prepared=prepared)))
    except DuplicateKeyError as duplicate:  # the same reading sent twice at once
        raise Conflict(f"{request.meter} of this unit has a reading for {prepared.period.code} already",
                       field="period") from duplicate


async def project_handover_readings(uow: UnitOfWork, envelope: Envelope) -> None:
    """The readings noted at a move-in's handover are the meters' baselines (unless readings exist)."""
    data = envelope.data
    day = local_day(envelope.time, await estate_time_zone(uow, envelope.estateid))
    for handed in data.get("meter_readings") or []:
        if handed["meter"] not in ("water", "electricity") or await _latest(uow, data["unit_id"],
                                                                            meter=handed["meter"]):
            continue
        try:
            value = text_to_hundredths(handed["reading"])
        except ValueError:  # a reading noted with more decimals than bills use: not a baseline
            continue
        await uow.db[store.METER_READINGS].insert_one({
            "_id": new_id(), "estate_id": envelope.estateid, "company_id": envelope.companyid,
            "unit_id": data["unit_id"], "meter": handed["meter"], "period": f"{day:%Y-%m}",
            "reading": fen_to_text(value), "reading_hundredths": value, "read_on": day.isoformat(),
            "replacement": False, "line_id": None, "by": "handover", "at": envelope.time}, session=uow.session)


def reading_public(reading: dict[str, Any]) -> dict[str, Any]:
    keys = ("estate_id", "unit_id", "meter", "period", "reading", "read_on", "replacement", "line_id")
    return {"id": reading["_id"], **{k: reading.get(k) for k in keys}}
