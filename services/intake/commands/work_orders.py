"""The ticket (and a complaint's record) follows its work order, and an incident's one work order moves the
incident: dispatch's work-order events, a batch at a time.

A batch reads its incidents and tickets in one query each; every change is written at the commit, one
`bulk_write` per collection, and the next event of the batch sees the document as changed.
"""

from __future__ import annotations

from typing import Any

from services.intake.commands import incidents as incident_commands
from services.intake.commands.tickets import TicketChanged, apply_command
from services.intake.domain import incidents as incident_rules
from services.intake.domain import tickets as rules
from services.intake.store import incidents as incident_store
from services.intake.store import tickets as ticket_store
from shared.consumer import Event, batched
from shared.db import UnitOfWork
from shared.errors import Conflict
from shared.events import WorkOrderAssigned, WorkOrderChanged, WorkOrderCreated

WorkOrderEvent = WorkOrderCreated | WorkOrderAssigned | WorkOrderChanged
CREATED = "dispatch.workorder.created"
COMPLETED = "dispatch.workorder.completed"
PLAN_RECORDED = "dispatch.workorder.plan_recorded"

# What each work-order event means for the ticket: the command it gives (when allowed).
FOLLOWED_EVENTS = {
    "dispatch.workorder.assigned": "start", "dispatch.workorder.accepted": "start",
    "dispatch.workorder.arrived": "start", PLAN_RECORDED: "start", COMPLETED: "resolve",
}


class _Batch:
    """The batch's tickets and incidents, as this transaction has changed them so far."""

    def __init__(self, tickets: dict[str, dict[str, Any]], incidents: dict[str, dict[str, Any]]) -> None:
        self.tickets = tickets
        self.incidents = incidents

    def ticket(self, ticket_id: str | None, estate_id: str) -> dict[str, Any] | None:
        ticket = self.tickets.get(ticket_id or "")
        return ticket if ticket is not None and ticket["estate_id"] == estate_id else None

    def incident(self, incident_id: str, estate_id: str) -> dict[str, Any] | None:
        incident = self.incidents.get(incident_id)
        return incident if incident is not None and incident["estate_id"] == estate_id else None


@batched
async def follow_work_orders(uow: UnitOfWork, events: list[Event[WorkOrderEvent]]) -> None:
    """Handler for dispatch's work-order events, in the order they arrived."""
    incidents = await incident_store.incidents_by_id(
        uow, {event.payload.incident_id for event in events if event.payload.incident_id})
    ticket_ids = {event.payload.ticket_id for event in events
                  if event.payload.ticket_id and not event.payload.incident_id}
    for event in events:  # a completed incident order resolves the incident's tickets too
        incident = incidents.get(event.payload.incident_id or "")
        if incident is not None and event.envelope.routing_key == COMPLETED:
            ticket_ids.update(incident["ticket_ids"])
    batch = _Batch(await ticket_store.tickets_by_id(uow, ticket_ids), incidents)
    for event in events:
        if event.payload.incident_id:
            await _follow_incident_order(uow, batch, event=event)
        elif (ticket := batch.ticket(event.payload.ticket_id, event.envelope.estateid)) is not None:
            batch.tickets[ticket["_id"]] = await _follow(uow, ticket, event=event)


async def _follow(uow: UnitOfWork, ticket: dict[str, Any], *, event: Event[WorkOrderEvent]) -> dict[str, Any]:
    """The ticket follows its work order, whatever order the events arrive in; returns it as changed.

    Created links the ticket to its order as soon as it exists (the contact's answer comes before
    dispatch has made it). Assigned, accepted, arrived or a plan move an open ticket to in_progress;
    completed resolves it from wherever it is open. A late or repeated event changes the status no
    more, but a complaint's plan and feedback are recorded whenever they come.
    """
    payload, envelope = event.payload, event.envelope
    if envelope.routing_key == CREATED:
        return _link(uow, ticket, payload=payload)
    command = FOLLOWED_EVENTS[envelope.routing_key]
    fields: dict[str, Any] = {"work_order_id": payload.work_order_id,
                              "work_order_number": payload.number or ticket.get("work_order_number")}
    if (record := _complaint_record(ticket, event)) is not None:
        fields["complaint"] = record
    if command == "resolve":
        fields.update(resolved_at=envelope.time, resolution=getattr(payload, "work_done", None))
    if ticket["status"] in rules.COMMANDS[command]:
        return await apply_command(uow, ticket, command=command, by="dispatch", at=envelope.time, fields=fields)
    if record is not None:
        entry = {"at": envelope.time, "action": "complaint_record", "status": ticket["status"], "by": "dispatch"}
        return ticket_store.update_ticket(uow, ticket, fields={"complaint": record}, entry=entry, conflict=_moved())
    return _link(uow, ticket, payload=payload)


def _complaint_record(ticket: dict[str, Any], event: Event[WorkOrderEvent]) -> dict[str, Any] | None:
    """The complaint's record the resident sees: its handling plan, then the feedback given."""
    payload, envelope = event.payload, event.envelope
    record = dict(ticket.get("complaint") or {})
    by = getattr(payload, "by", None)
    if envelope.routing_key == PLAN_RECORDED:
        if record.get("plan") and record["plan"]["at"] > envelope.time:
            return None  # a later plan is recorded already (events may arrive out of order)
        record["plan"] = {"text": getattr(payload, "plan", None), "at": envelope.time, "by": by}
    elif envelope.routing_key == COMPLETED and ticket["category"] == "complaint":
        record["feedback"] = {"text": getattr(payload, "work_done", None), "at": envelope.time, "by": by}
    else:
        return None
    return record


def _link(uow: UnitOfWork, ticket: dict[str, Any], *, payload: WorkOrderEvent) -> dict[str, Any]:
    if ticket.get("work_order_id") == payload.work_order_id:
        return ticket
    fields = {"work_order_id": payload.work_order_id, "work_order_number": payload.number}
    # Not a step of the ticket's life: no history entry (its order's own history says when it was made).
    return ticket_store.update_ticket(uow, ticket, fields=fields, entry=None, conflict=_moved())


def _moved() -> TicketChanged:
    return TicketChanged("the ticket changed while its work order was followed; the event is retried")


async def _follow_incident_order(uow: UnitOfWork, batch: _Batch, *, event: Event[WorkOrderEvent]) -> None:
    """An incident's order: the incident learns its order, and is resolved (with its tickets) when it is done."""
    payload, envelope = event.payload, event.envelope
    incident = batch.incident(payload.incident_id or "", envelope.estateid)
    if incident is None:
        return
    if not incident.get("work_order_id"):
        incident = incident_store.change_incident_at_commit(
            uow, incident, fields={"work_order_id": payload.work_order_id, "work_order_number": payload.number},
            entry=None)
    if envelope.routing_key == COMPLETED and incident["status"] in incident_rules.OPEN_STATUSES:
        resolution = getattr(payload, "work_done", None)
        fields, entry = incident_commands.resolution_of(incident, by="dispatch", resolution=resolution,
                                                        at=envelope.time, work_order_id=payload.work_order_id)
        resolved = incident_store.change_incident_at_commit(
            uow, incident, fields=fields, entry=entry, conflict=Conflict("the incident changed at the same moment"))
        tickets = [ticket for ticket_id in incident["ticket_ids"]
                   if (ticket := batch.ticket(ticket_id, incident["estate_id"])) is not None]
        for ticket in await incident_commands.resolve_tickets_of(
                uow, incident, tickets=tickets, by="dispatch", resolution=resolution, at=envelope.time,
                work_order_id=payload.work_order_id):
            batch.tickets[ticket["_id"]] = ticket
        incident = resolved
    batch.incidents[incident["_id"]] = incident
