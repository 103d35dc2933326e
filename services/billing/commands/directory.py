"""What billing learns from intake and dispatch: units (area, kind, who lives there), when billing
starts, one-off fees and paid services.

Units come from `intake.unit.registered|updated`, the parts of `intake.directory.imported` and
the residents' events (who lives in and who owns a unit: the people a bill's events name); the
start of billing from a completed move-in's `billing_starts_on` (or, failing that, the earliest
move-in date of a resident); decoration fees from `intake.procedure.fee_requested` (their closing and
settlement, for refunds, in `deposits`); paid services
from `dispatch.workorder.completed`. Events may arrive in any order: every write is an upsert of
the fields the event knows. Every handler is batch-shaped: one read per collection and one write
per collection for all of its events of a batch.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pymongo import UpdateOne

from services.billing import store
from services.billing.commands import deposits, fee_items, meters
from services.billing.commands.bill_events import issued
from services.billing.domain import fees
from services.billing.domain.bills import new_line
from shared.consumer import Event, batched
from shared.db import UnitOfWork
from shared.estates import estate_time_zone, local_day, project_estates
from shared.events import (
    DirectoryImported,
    EstateRegistered,
    ProcedureCompleted,
    ProcedureFeeRequested,
    ResidentMovedOut,
    ResidentRegistered,
    UnitRegistered,
    UnitUpdated,
    WorkOrderCompleted,
)
from shared.money import text_to_fen

UNIT_FIELDS = ("building_id", "building_name", "number", "floor", "area_m2", "kind")


def _unit_update(unit: UnitRegistered, company_id: str, *, estate_id: str) -> UpdateOne:
    known = unit.model_dump(mode="json")
    change: dict[str, Any] = {"$set": {"estate_id": estate_id, "company_id": company_id, "unit_id": unit.unit_id,
                                       **{k: known.get(k) for k in UNIT_FIELDS}}}
    owners = getattr(unit, "owner_resident_ids", None)
    if owners is not None:  # an ownership transfer says who owns it now
        change["$set"]["owner_ids"] = list(owners)
    return UpdateOne({"_id": unit.unit_id}, change, upsert=True)


def _new_unit(unit_id: str, company_id: str, *, estate_id: str) -> dict[str, Any]:
    return {"estate_id": estate_id, "company_id": company_id, "unit_id": unit_id}


def _move_in_update(resident: ResidentRegistered, company_id: str, *, estate_id: str) -> list[UpdateOne]:
    """Someone lives in (or owns) these units: not vacant (空置房 discounts stop), from their move-in date if
    known, and named in the units' bill events."""
    people = {"resident_ids": resident.resident_id}
    if resident.role == "owner":
        people["owner_ids"] = resident.resident_id
    updates = []
    for unit_id in resident.unit_ids:
        change: dict[str, Any] = {"$set": {"occupied": True}, "$addToSet": people,
                                  "$setOnInsert": _new_unit(unit_id, company_id, estate_id=estate_id)}
        if resident.move_in_date:
            change["$min"] = {"first_move_in_on": resident.move_in_date.isoformat()}
        updates.append(UpdateOne({"_id": unit_id}, change, upsert=True))
    return updates


def _move_out_update(resident: ResidentMovedOut) -> list[UpdateOne]:
    return [UpdateOne({"_id": unit_id}, {"$pull": {"resident_ids": resident.resident_id,
                                                   "owner_ids": resident.resident_id}})
            for unit_id in resident.unit_ids]


async def _write(uow: UnitOfWork, updates: list[UpdateOne]) -> None:
    if updates:
        await uow.db[store.UNITS].bulk_write(updates, ordered=True, session=uow.session)


@batched
async def project_directory(uow: UnitOfWork, events: list[Event[Any]]) -> None:
    """Units, directory imports and residents' moves, in arrival order, in one bulk write."""
    updates: list[UpdateOne] = []
    for event in events:
        company_id, estate_id, payload = event.envelope.companyid, event.envelope.estateid, event.payload
        if isinstance(payload, (UnitRegistered, UnitUpdated)):
            updates.append(_unit_update(payload, company_id, estate_id=estate_id))
        elif isinstance(payload, DirectoryImported):
            updates += [_unit_update(unit, company_id, estate_id=estate_id) for unit in payload.units]
            for resident in payload.residents:
                updates += _move_in_update(resident, company_id, estate_id=estate_id)
        elif isinstance(payload, ResidentRegistered):
            updates += _move_in_update(payload, company_id, estate_id=estate_id)
        elif isinstance(payload, ResidentMovedOut):
            updates += _move_out_update(payload)
    await _write(uow, updates)


@batched
async def project_completed_procedures(uow: UnitOfWork, events: list[Event[ProcedureCompleted]]) -> None:
    """A completed procedure is closed (its deposit refundable); a completed move-in says from which day the
    unit is billed, and its meters' readings."""
    await deposits.project_closures(uow, events)
    updates = []
    for event in events:
        payload = event.payload
        if payload.kind != "move_in":
            continue
        await meters.project_handover_readings(uow, event.envelope)  # a handful of readings, rarely
        if payload.billing_starts_on:
            updates.append(UpdateOne(
                {"_id": payload.unit_id},
                {"$set": {"billing_starts_on": payload.billing_starts_on.isoformat()},
                 "$setOnInsert": _new_unit(payload.unit_id, event.envelope.companyid,
                                           estate_id=event.envelope.estateid)},
                upsert=True))
    await _write(uow, updates)


@batched
async def register_estates(uow: UnitOfWork, events: list[Event[EstateRegistered]]) -> None:
    """New estates: projected, and given the usual fee items to adjust."""
    await project_estates(uow, events)
    await fee_items.seed_defaults_of(uow, {event.payload.estate_id: event.envelope.companyid for event in events})


async def _bill_once(uow: UnitOfWork, charges: list[dict[str, Any]]) -> None:
    """One-off charges, each a bill line once (by its own line id), whatever the delivery count."""
    keys = [charge["line_id"] for charge in charges]
    if not keys:
        return
    existing = {d["_id"] for d in await store.find_all(uow, store.BILL_LINES, query={"_id": {"$in": keys}},
                                                       projection={"_id": 1})}
    estate_ids = sorted({charge["estate_id"] for charge in charges})
    items = {(i["estate_id"], i["code"]): i
             for i in await store.find_all(uow, store.FEE_ITEMS, query={"estate_id": {"$in": estate_ids}})}
    units = {u["_id"]: u for u in await store.find_all(
        uow, store.UNITS, query={"_id": {"$in": sorted({charge["unit_id"] for charge in charges})}},
        projection={"resident_ids": 1, "owner_ids": 1})}
    lines, time_zones = [], {}
    for charge in charges:
        if charge["line_id"] in existing:
            continue
        existing.add(charge["line_id"])  # the same charge twice in one batch
        estate_id = charge["estate_id"]
        if estate_id not in time_zones:
            time_zones[estate_id] = await estate_time_zone(uow, estate_id)
        day: date = local_day(charge["at"], time_zones[estate_id])
        item = items.get((estate_id, charge["item"])) or next(i for i in fees.DEFAULT_ITEMS
                                                              if i["code"] == charge["item"])
        rule = {"formula": "one_off", "amount": charge["amount"], "source": charge["source"],
                "refundable": charge.get("refundable", False)}
        lines.append(new_line(
            key=charge["line_id"], estate_id=estate_id, company_id=charge["company_id"], unit_id=charge["unit_id"],
            item=item, period=f"{day:%Y-%m}", due_date=day, rule=rule, amount_fen=text_to_fen(charge["amount"]),
            source=charge["refs"], at=charge["at"],
        ))
    if lines:
        await uow.db[store.BILL_LINES].insert_many(lines, ordered=True, session=uow.session)
        issued(uow, lines, units=units)


def _charge(event: Event[Any], unit_id: str, **fields: Any) -> dict[str, Any]:
    envelope = event.envelope
    return {"estate_id": envelope.estateid, "company_id": envelope.companyid, "unit_id": unit_id,
            "at": envelope.time, **fields}


@batched
async def bill_procedure_fees(uow: UnitOfWork, events: list[Event[ProcedureFeeRequested]]) -> None:
    """Decoration deposit and service fee of a procedure."""
    await _bill_once(uow, [
        _charge(event, event.payload.unit_id, **line.model_dump(mode="json"), source=event.payload.number,
                refs={"procedure_id": event.payload.procedure_id})
        for event in events for line in event.payload.lines])


@batched
async def bill_paid_services(uow: UnitOfWork, events: list[Event[WorkOrderCompleted]]) -> None:
    """有偿服务: the charge lines of completed, chargeable work orders on units."""
    charges = []
    for event in events:
        order = event.payload
        if not order.chargeable or not order.unit_id or not order.charge_lines:
            continue
        charges += [_charge(event, order.unit_id, line_id=f"{order.work_order_id}:charge:{n}", item="paid_service",
                            amount=line.amount, source=f"{order.number} {line.description}",
                            refs={"work_order_id": order.work_order_id})
                    for n, line in enumerate(order.charge_lines)]
    await _bill_once(uow, charges)
