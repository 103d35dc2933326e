"""What billing learns from intake: units (area, kind), when billing starts, one-off fees.

Units come from `intake.unit.registered|updated` and the parts of `intake.directory.imported`;
the start of billing from a completed move-in's `billing_starts_on` (or, failing that, the
earliest move-in date of a resident); decoration fees from `intake.procedure.fee_requested`.
Events may arrive in any order: every write is an upsert of the fields the event knows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pymongo import UpdateOne

from services.billing import store
from services.billing.commands import fee_items, meters
from services.billing.domain import fees
from services.billing.domain.bills import new_line
from shared.db import UnitOfWork
from shared.envelope import Envelope
from shared.estates import estate_time_zone, local_day, project_estate
from shared.money import text_to_fen

UNIT_FIELDS = ("building_id", "building_name", "number", "floor", "area_m2", "kind")


def _unit_update(unit: dict[str, Any], company_id: str, estate_id: str) -> UpdateOne:
    return UpdateOne(
        {"_id": unit["unit_id"]},
        {"$set": {"estate_id": estate_id, "company_id": company_id, "unit_id": unit["unit_id"],
                  **{k: unit.get(k) for k in UNIT_FIELDS}}},
        upsert=True,
    )


def _move_in_update(resident: dict[str, Any], company_id: str, estate_id: str) -> list[UpdateOne]:
    """Someone lives in these units (not vacant: 空置房 discounts stop), from their move-in date if known."""
    change: dict[str, Any] = {"$set": {"occupied": True},
                              "$setOnInsert": {"estate_id": estate_id, "company_id": company_id}}
    if resident.get("move_in_date"):
        change["$min"] = {"first_move_in_on": str(resident["move_in_date"])}
    return [UpdateOne({"_id": unit_id}, {**change, "$setOnInsert": {**change["$setOnInsert"], "unit_id": unit_id}},
                      upsert=True) for unit_id in resident["unit_ids"]]


async def _write(uow: UnitOfWork, updates: list[UpdateOne]) -> None:
    if updates:
        await uow.db[store.UNITS].bulk_write(updates, ordered=True, session=uow.session)


async def project_unit(uow: UnitOfWork, envelope: Envelope) -> None:
    await _write(uow, [_unit_update(envelope.data, envelope.companyid, envelope.estateid)])


async def project_resident(uow: UnitOfWork, envelope: Envelope) -> None:
    await _write(uow, _move_in_update(envelope.data, envelope.companyid, envelope.estateid))


async def project_import(uow: UnitOfWork, envelope: Envelope) -> None:
    """One part of a directory import: its units and its residents' move-ins, in one bulk write."""
    company_id, estate_id = envelope.companyid, envelope.estateid
    updates = [_unit_update(unit, company_id, estate_id) for unit in envelope.data.get("units", [])]
    for resident in envelope.data.get("residents", []):
        updates += _move_in_update(resident, company_id, estate_id)
    await _write(uow, updates)


async def project_move_in(uow: UnitOfWork, envelope: Envelope) -> None:
    """A completed move-in says from which day the unit is billed, and its meters' readings."""
    data = envelope.data
    if data.get("kind") != "move_in":
        return
    await meters.project_handover_readings(uow, envelope)
    if not data.get("billing_starts_on"):
        return
    await _write(uow, [UpdateOne(
        {"_id": data["unit_id"]},
        {"$set": {"billing_starts_on": str(data["billing_starts_on"])},
         "$setOnInsert": {"estate_id": envelope.estateid, "company_id": envelope.companyid,
                          "unit_id": data["unit_id"]}}, upsert=True)])


async def register_estate(uow: UnitOfWork, envelope: Envelope) -> None:
    """A new estate: projected, and given the usual fee items to adjust."""
    await project_estate(uow, envelope)
    await fee_items.seed_defaults(uow, estate_id=envelope.data["estate_id"], company_id=envelope.companyid)


async def _bill_once(uow: UnitOfWork, envelope: Envelope, unit_id: str, charges: list[dict[str, Any]]) -> None:
    """One-off charges, each a bill line once (by its own line id), whatever the delivery count."""
    keys = [charge["line_id"] for charge in charges]
    existing = {d["_id"] for d in await store.find_all(uow, store.BILL_LINES, {"_id": {"$in": keys}}, {"_id": 1})}
    day: date = local_day(envelope.time, await estate_time_zone(uow, envelope.estateid))
    items = {i["code"]: i for i in await store.find_all(uow, store.FEE_ITEMS, {"estate_id": envelope.estateid})}
    for charge in charges:
        if charge["line_id"] in existing:
            continue
        item = items.get(charge["item"]) or next(i for i in fees.DEFAULT_ITEMS if i["code"] == charge["item"])
        rule = {"formula": "one_off", "amount": charge["amount"], "source": charge["source"],
                "refundable": charge.get("refundable", False)}
        await uow.db[store.BILL_LINES].insert_one(new_line(
            key=charge["line_id"], estate_id=envelope.estateid, company_id=envelope.companyid, unit_id=unit_id,
            item=item, period=f"{day:%Y-%m}", due_date=day, rule=rule, amount_fen=text_to_fen(charge["amount"]),
            source=charge["refs"], at=envelope.time,
        ), session=uow.session)


async def bill_procedure_fees(uow: UnitOfWork, envelope: Envelope) -> None:
    """Decoration deposit and service fee of a procedure."""
    data = envelope.data
    await _bill_once(uow, envelope, data["unit_id"], [
        {**line, "source": data["number"], "refs": {"procedure_id": data["procedure_id"]}} for line in data["lines"]])


async def bill_paid_service(uow: UnitOfWork, envelope: Envelope) -> None:
    """有偿服务: the charge lines of a completed, chargeable work order on a unit."""
    data = envelope.data
    if not data.get("chargeable") or not data.get("unit_id") or not data.get("charge_lines"):
        return
    await _bill_once(uow, envelope, data["unit_id"], [
        {"line_id": f"{data['work_order_id']}:charge:{n}", "item": "paid_service", "amount": line["amount"],
         "source": f"{data['number']} {line['description']}", "refs": {"work_order_id": data["work_order_id"]}}
        for n, line in enumerate(data["charge_lines"])])

