"""Incidents in dispatch: one work order per incident, and the emergency plan's first calls.

Declaring an incident tells the customer-service supervisor and the estate manager at once,
whatever the hour: dispatch knows who holds those positions (on duty, on call, or at home), so
the incident's order is escalated straight to both steps of the ladder (notification tells each). Tickets
that are part of an incident get no order of their own: one opened in it is skipped, one that
joins later has its open order cancelled, even if its `opened` event comes after the join.
"""

from __future__ import annotations

from typing import Any

from services.dispatch import store
from services.dispatch.commands import clock
from services.dispatch.commands import work_orders as orders
from services.dispatch.domain import sla
from services.dispatch.domain.life_cycle import FINAL_STATES, next_status
from shared.db import UnitOfWork
from shared.documents import about
from shared.envelope import Envelope, utcnow
from shared.events import WorkOrderCancelled

# Tickets that joined an incident before dispatch saw them opened: they must never get an order.
MERGED_TICKETS = "merged_tickets"


class OrderChangedMeanwhile(Exception):
    """The order moved while this event was applied; the consumer retries the event."""


async def open_incident_order(uow: UnitOfWork, envelope: Envelope) -> None:
    """Handler for `intake.incident.declared`: the order, then the supervisor and the manager told."""
    order = await orders.create_work_order_for_incident(uow, envelope)
    if order is None:
        return
    now = utcnow()
    # Each step reaches whoever holds the position whatever the hour (on duty, on call, or by phone).
    await clock.escalate(uow, order, sla.LADDER.index("supervisor") + 1, now, climb=False)
    # From the manager's step the ladder climbs on (duty leader) while the incident's order stays open.
    await clock.escalate(uow, order, sla.LADDER.index("estate_manager") + 1, now)


async def create_work_order_for_ticket(uow: UnitOfWork, envelope: Envelope) -> None:
    """Handler for `intake.ticket.opened`: no order for a ticket that is part of an incident."""
    ticket_id = envelope.data["ticket_id"]
    if envelope.data.get("incident_id") or await _merged(uow, ticket_id):
        return
    await orders.create_work_order_for_ticket(uow, envelope)


async def _prefetch_opened(uow: UnitOfWork, envelopes: list[Envelope]) -> None:
    """A batch's opened tickets: which were merged already, which have an order (one query each)."""
    ticket_ids = [envelope.data["ticket_id"] for envelope in envelopes]
    merged = await uow.db[MERGED_TICKETS].find({"_id": {"$in": ticket_ids}}, {"_id": 1},
                                               session=uow.session).to_list(None)
    uow.held[MERGED_TICKETS] = {"asked": set(ticket_ids), "found": {document["_id"] for document in merged}}
    await store.prefetch_work_order_sources(uow, [store.source_of(ticket_id=t, order_id="") for t in ticket_ids])


create_work_order_for_ticket.prefetch = _prefetch_opened  # type: ignore[attr-defined]


async def _merged(uow: UnitOfWork, ticket_id: str) -> bool:
    known = uow.held.get(MERGED_TICKETS)
    if known is not None and ticket_id in known["asked"]:
        return ticket_id in known["found"]
    return await store.find_one(uow, MERGED_TICKETS, ticket_id) is not None


async def merge_ticket_into_incident(uow: UnitOfWork, envelope: Envelope) -> None:
    """Handler for `intake.ticket.updated`: a ticket that joined an incident loses its own open order."""
    data = envelope.data
    if not data.get("incident_id"):
        return
    order = await store.find_work_order_from(uow, store.source_of(ticket_id=data["ticket_id"], order_id=""))
    if order is None:  # not created yet (events out of order): make sure it never is
        await uow.db[MERGED_TICKETS].update_one(
            {"_id": data["ticket_id"]}, {"$set": {"incident_id": data["incident_id"], "estate_id": envelope.estateid,
                                                 "merged_at": envelope.time}},
            upsert=True, session=uow.session,
        )
        if (known := uow.held.get(MERGED_TICKETS)) is not None:  # a later `opened` of this batch sees it
            known["found"].add(data["ticket_id"])
        return
    await cancel_open_order(uow, order, reason=f"并入突发事件（incident {data['incident_id']}）")


async def cancel_incident_order(uow: UnitOfWork, envelope: Envelope) -> None:
    """Handler for `intake.incident.resolved`: an incident closed at the desk leaves no order open."""
    source = store.source_of(incident_id=envelope.data["incident_id"], order_id="")
    if (order := await store.find_work_order_from(uow, source)) is not None:
        await cancel_open_order(uow, order, reason="突发事件已解除")


async def cancel_open_order(uow: UnitOfWork, order: dict[str, Any], *, reason: str) -> None:
    """Cancel an order that is still open (its clock stops); a finished one stays as it is."""
    if order["status"] in FINAL_STATES:
        return
    now = utcnow()
    target = next_status(order["status"], "cancel")
    fields = {"status": target, **await clock.on_transition(uow, order, "cancel", now)}
    history = {"at": now, "status": target, "command": "cancel", "by": "dispatch", "reason": reason}
    if not await store.update_work_order(uow, order, fields, history):
        raise OrderChangedMeanwhile(order["_id"])
    await store.count_open_order(uow, order.get("assignee_id"), -1)
    uow.emit(WorkOrderCancelled(
        work_order_id=order["_id"], number=order["number"], ticket_id=order.get("ticket_id"),
        incident_id=order.get("incident_id"), status=target, previous_status=order["status"], by="dispatch",
        reason=reason, assignee_id=order.get("assignee_id"), assignee_name=order.get("assignee_name"),
    ), **about(order))
