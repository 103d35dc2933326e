"""Incidents in dispatch: one work order per incident, and the emergency plan's first calls.

Declaring an incident tells the customer-service supervisor and the estate manager at once,
whatever the hour: dispatch knows who holds those positions (on duty, on call, or at home), so
the incident's order is escalated straight to both steps of the ladder (notification tells each). Tickets
that are part of an incident get no order of their own: one opened in it is skipped, one that
joins later has its open order cancelled, even if its `opened` event comes after the join.
"""

from __future__ import annotations

from typing import Any

from pymongo import UpdateOne

from services.dispatch.commands import clock
from services.dispatch.commands import work_orders as orders
from services.dispatch.domain import sla
from services.dispatch.domain.life_cycle import FINAL_STATES, next_status
from services.dispatch.store import staff as staff_store
from services.dispatch.store import work_orders as order_store
from shared.consumer import Event, batched
from shared.db import UnitOfWork
from shared.documents import about
from shared.envelope import utcnow
from shared.events import IncidentDeclared, IncidentResolved, TicketOpened, TicketUpdated, WorkOrderCancelled

# Tickets that joined an incident before dispatch saw them opened: they must never get an order.
MERGED_TICKETS = "merged_tickets"


class OrderChangedMeanwhile(Exception):
    """The order moved while this event was applied; the consumer retries the event."""


@batched
async def open_incident_orders(uow: UnitOfWork, events: list[Event[IncidentDeclared]]) -> None:
    """Handler for `intake.incident.declared`: the order, then the supervisor and the manager told."""
    sources = [_incident_source(event.payload.incident_id) for event in events]
    existing = await order_store.work_orders_from(uow, sources)
    for event, source in zip(events, sources, strict=True):
        if source in existing:
            continue
        order = existing[source] = await orders.create_work_order_for_incident(uow, event)
        now = utcnow()
        # Each step reaches whoever holds the position whatever the hour (on duty, on call, or by phone).
        await clock.escalate(uow, order, level=sla.LADDER.index("supervisor") + 1, now=now, climb=False)
        # From the manager's step the ladder climbs on (duty leader) while the incident's order stays open.
        await clock.escalate(uow, order, level=sla.LADDER.index("estate_manager") + 1, now=now)


@batched
async def create_work_orders_for_tickets(uow: UnitOfWork, events: list[Event[TicketOpened]]) -> None:
    """Handler for `intake.ticket.opened`: one order per ticket, none for a ticket that is part of an incident
    (opened in one, or merged into one before dispatch saw it opened) or that has its order already."""
    wanted = [event for event in events if not event.payload.incident_id]
    ticket_ids = [event.payload.ticket_id for event in wanted]
    merged = await _merged(uow, ticket_ids)
    existing = await order_store.work_orders_from(uow, [_ticket_source(ticket_id) for ticket_id in ticket_ids])
    for event in wanted:
        source = _ticket_source(event.payload.ticket_id)
        if event.payload.ticket_id in merged or source in existing:
            continue
        if (order := await orders.create_work_order_for_ticket(uow, event)) is not None:
            existing[source] = order


async def _merged(uow: UnitOfWork, ticket_ids: list[str]) -> set[str]:
    """Which of these tickets joined an incident before their order was made (this transaction's too)."""
    merged_now: set[str] = uow.held.setdefault(MERGED_TICKETS, set())
    unknown = [ticket_id for ticket_id in ticket_ids if ticket_id not in merged_now]
    found = await uow.db[MERGED_TICKETS].find({"_id": {"$in": unknown}}, {"_id": 1},
                                              session=uow.session).to_list(None) if unknown else []
    return {document["_id"] for document in found} | (merged_now & set(ticket_ids))


@batched
async def merge_tickets_into_incidents(uow: UnitOfWork, events: list[Event[TicketUpdated]]) -> None:
    """Handler for `intake.ticket.updated`: a ticket that joined an incident loses its own open order."""
    joined = [event for event in events if event.payload.incident_id]
    existing = await order_store.work_orders_from(uow, [_ticket_source(event.payload.ticket_id) for event in joined])
    for event in joined:
        payload = event.payload
        source = _ticket_source(payload.ticket_id)
        if (order := existing.get(source)) is None:  # not created yet (events out of order): make sure it never is
            uow.write(MERGED_TICKETS, UpdateOne(
                {"_id": payload.ticket_id},
                {"$set": {"incident_id": payload.incident_id, "estate_id": event.envelope.estateid,
                          "merged_at": event.envelope.time}}, upsert=True))
            uow.held.setdefault(MERGED_TICKETS, set()).add(payload.ticket_id)  # a later `opened` sees it
            continue
        existing[source] = await cancel_open_order(uow, order, reason=f"并入突发事件（incident {payload.incident_id}）")


@batched
async def cancel_incident_orders(uow: UnitOfWork, events: list[Event[IncidentResolved]]) -> None:
    """Handler for `intake.incident.resolved`: an incident closed at the desk leaves no order open."""
    sources = [_incident_source(event.payload.incident_id) for event in events]
    existing = await order_store.work_orders_from(uow, sources)
    for source in sources:
        if (order := existing.get(source)) is not None:
            existing[source] = await cancel_open_order(uow, order, reason="突发事件已解除")


def _ticket_source(ticket_id: str) -> str:
    return order_store.source_of(ticket_id=ticket_id, order_id="")


def _incident_source(incident_id: str) -> str:
    return order_store.source_of(incident_id=incident_id, order_id="")


async def cancel_open_order(uow: UnitOfWork, order: dict[str, Any], *, reason: str) -> dict[str, Any]:
    """Cancel an order that is still open (its clock stops); a finished one stays as it is. Returns it as changed."""
    if order["status"] in FINAL_STATES:
        return order
    now = utcnow()
    target = next_status(order["status"], "cancel")
    fields = {"status": target, **await clock.on_transition(uow, order, command="cancel", now=now)}
    history = {"at": now, "status": target, "command": "cancel", "by": "dispatch", "reason": reason}
    changed = order_store.update_work_order(uow, order, fields=fields, history=history,
                                            conflict=OrderChangedMeanwhile(order["_id"]))
    await staff_store.count_open_order(uow, order.get("assignee_id"), delta=-1)
    uow.emit(WorkOrderCancelled(
        work_order_id=order["_id"], number=order["number"], ticket_id=order.get("ticket_id"),
        incident_id=order.get("incident_id"), status=target, previous_status=order["status"], by="dispatch",
        reason=reason, assignee_id=order.get("assignee_id"), assignee_name=order.get("assignee_name"),
    ), **about(order))
    return changed
