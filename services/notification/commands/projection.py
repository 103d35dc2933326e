"""Notification's copies: residents and units from intake's directory, staff from dispatch's events,
tickets and incidents (who a ticket's or an incident's messages are for).

Each batch reads what it needs once per collection and writes once per collection. An older event
than the copy already holds changes nothing (events may arrive late or out of order).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo import UpdateOne

from services.notification import store
from services.notification.domain.recipients import resident_fields, staff_fields
from shared.consumer import Event
from shared.db import UnitOfWork
from shared.reads import find_in

DIRECTORY = {"intake.unit.registered", "intake.unit.updated", "intake.resident.registered",
             "intake.resident.updated", "intake.resident.moved_out", "intake.directory.imported"}
STAFF_SOURCES = {"dispatch.workorder.assigned", "dispatch.workorder.escalated", "dispatch.shift.handover_due",
                 "dispatch.shift.handover_missing", "dispatch.roster.published"}
TICKET_SOURCES = {"intake.ticket.opened"}
INCIDENT_SOURCES = {"intake.incident.declared"}


def _data(event: Event) -> dict[str, Any]:
    return event.payload.model_dump(mode="json")


def _expanded(events: list[Event]) -> list[tuple[str, Event, dict[str, Any]]]:
    """Every directory change as (kind, event, data); an import's parts as their registered events."""
    changes = []
    for event in events:
        kind, data = event.envelope.routing_key, _data(event)
        if kind == "intake.directory.imported":
            changes += [("intake.unit.registered", event, unit) for unit in data.get("units") or []]
            changes += [("intake.resident.registered", event, person) for person in data.get("residents") or []]
        else:
            changes.append((kind, event, data))
    return changes


async def project(uow: UnitOfWork, events: list[Event]) -> None:
    """Apply the batch's events to notification's copies, before any message of the batch is drafted."""
    directory = [e for e in events if e.envelope.routing_key in DIRECTORY]
    if directory:
        await _project_directory(uow, _expanded(directory))
    staff = [e for e in events if e.envelope.routing_key in STAFF_SOURCES]
    if staff:
        await _project_staff(uow, staff)
    await _project_tickets_and_incidents(uow, events)


async def _project_directory(uow: UnitOfWork, changes: list[tuple[str, Event, dict[str, Any]]]) -> None:
    units = {d["unit_id"]: (e, d) for kind, e, d in changes if kind.startswith("intake.unit.")}
    people = [(kind, e, d) for kind, e, d in changes if kind.startswith("intake.resident.")]
    unit_ids = set(units) | {u for _, _, d in people for u in d.get("unit_ids") or []}
    known_units = await store.by_ids(uow, store.UNITS, ids=unit_ids, projection={"building_id": 1})
    unit_writes, recipient_writes = [], []
    for unit_id, (event, data) in units.items():
        unit = {"estate_id": event.envelope.estateid, "building_id": data["building_id"],
                "building_name": data.get("building_name"), "number": data["number"]}
        known_units[unit_id] = {"_id": unit_id, **unit}
        unit_writes.append(UpdateOne({"_id": unit_id}, {"$set": unit}, upsert=True))
    keys = {store.recipient_key(e.envelope.estateid, d["resident_id"]) for _, e, d in people}
    if units:  # residents copied before their unit arrived (its event late) learn its building now: one read
        waiting = await find_in(uow.db[store.RECIPIENTS], field="unit_ids", values=units, query={
            "estate_id": {"$in": sorted({e.envelope.estateid for e, _ in units.values()})}}, projection={"unit_ids": 1},
            session=uow.session)
        for resident in (r for r in waiting if r["_id"] not in keys):
            buildings = sorted({known_units[u]["building_id"] for u in resident["unit_ids"] if u in units})
            recipient_writes.append(UpdateOne({"_id": resident["_id"]},
                                              {"$addToSet": {"building_ids": {"$each": buildings}}}))
    current = await store.by_ids(uow, store.RECIPIENTS, ids=keys, projection={"directory_time": 1})
    for kind, event, data in people:
        key = store.recipient_key(event.envelope.estateid, data["resident_id"])
        moment = event.envelope.time
        held = current.get(key, {}).get("directory_time")
        if held is not None and _aware(held) > moment:
            continue  # a newer change is already applied
        current[key] = {"directory_time": moment}
        scope = {"estate_id": event.envelope.estateid, "company_id": event.envelope.companyid,
                 "directory_time": moment}
        if kind == "intake.resident.moved_out":
            update = {"$set": {**scope, "status": "moved_out"}, "$pullAll": {"unit_ids": data.get("unit_ids") or []}}
        else:
            buildings = sorted({known_units[u]["building_id"] for u in data.get("unit_ids") or [] if u in known_units})
            update = {"$set": {**scope, **resident_fields(data, buildings)}}
        recipient_writes.append(UpdateOne({"_id": key}, update, upsert=True))
    if unit_writes:
        await uow.db[store.UNITS].bulk_write(unit_writes, ordered=True, session=uow.session)
    if recipient_writes:
        await uow.db[store.RECIPIENTS].bulk_write(recipient_writes, ordered=True, session=uow.session)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _project_staff(uow: UnitOfWork, events: list[Event]) -> None:
    writes = []
    for event in events:
        for staff_id, fields, positions in staff_fields(event.envelope.routing_key, _data(event)):
            update: dict[str, Any] = {"$set": {"estate_id": event.envelope.estateid, "company_id": event.envelope.companyid,
                                               "kind": "staff", "person_id": staff_id,
                                               **{k: v for k, v in fields.items() if v}}}
            if positions:
                update["$addToSet"] = {"positions": {"$each": positions}}
            writes.append(UpdateOne({"_id": store.recipient_key(event.envelope.estateid, staff_id)}, update,
                                    upsert=True))
    if writes:
        await uow.db[store.RECIPIENTS].bulk_write(writes, ordered=True, session=uow.session)


async def _project_tickets_and_incidents(uow: UnitOfWork, events: list[Event]) -> None:
    tickets, incidents = [], []
    for event in events:
        kind, data = event.envelope.routing_key, _data(event)
        if kind in TICKET_SOURCES:
            tickets.append(UpdateOne({"_id": data["ticket_id"]}, {"$set": {
                "estate_id": event.envelope.estateid, "resident_id": data.get("resident_id"),
                "number": data["number"], "unit_id": data.get("unit_id")}}, upsert=True))
        elif kind in INCIDENT_SOURCES:
            incidents.append(UpdateOne({"_id": data["incident_id"]}, {"$set": {
                "estate_id": event.envelope.estateid, "building_id": data.get("building_id"),
                # Residents hear of it when intake broadcasts it, or when it is in one building.
                "audience": data.get("broadcast_audience") or ("building" if data.get("building_id") else None),
                "number": data.get("number"), "location": data.get("location")}}, upsert=True))
    if tickets:
        await uow.db[store.TICKETS].bulk_write(tickets, ordered=True, session=uow.session)
    if incidents:
        await uow.db[store.INCIDENTS].bulk_write(incidents, ordered=True, session=uow.session)
