"""Work orders: created from tickets or by hand, assigned, and moved through their life cycle."""

from __future__ import annotations

from typing import Any

from services.dispatch import store
from services.dispatch.api.schemas import WorkOrderCreate, WorkOrderPublic
from services.dispatch.commands import clock
from services.dispatch.domain import sla
from services.dispatch.domain import work_orders as rules
from shared.auth import Principal
from shared.counters import next_value
from shared.db import Database, UnitOfWork
from shared.documents import to_public
from shared.envelope import Envelope, new_id, utcnow
from shared.estates import estate_time_zone, local_day
from shared.events import WorkOrderAssigned, WorkOrderCreated
from shared.idempotency import create_once


def work_order_public(document: dict[str, Any]) -> WorkOrderPublic:
    return to_public(WorkOrderPublic, document)


async def open_work_order(uow: UnitOfWork, *, estate_id: str, company_id: str, fields: dict[str, Any]) -> dict:
    """Number it, assign it (or offer it, in grab mode), start its clock, and tell everyone."""
    now = utcnow()
    created_by = fields.pop("created_by", "dispatch")
    day = local_day(now, await estate_time_zone(uow, estate_id))
    policy = await store.sla_policy(uow, estate_id)
    planned = sla.plan(fields["priority"], now, policy)
    number = rules.work_order_number(day, await next_value(uow, f"work_order:{estate_id}:{day:%Y%m%d}"))
    order = {
        "_id": new_id(), "estate_id": estate_id, "company_id": company_id, "number": number, "ticket_id": None,
        "ticket_number": None, "location": None, "unit_id": None, **fields, "status": "pending",
        "assignee_id": None, "assignee_name": None, "offered_to": [], "created_at": now, "version": 1,
        "deadlines": planned.deadlines, "deadlines_approximate": planned.approximate, "sla_state": "ok",
        "ladder_delays_s": policy.ladder_delays_s,
        "escalation_started": fields["priority"] == "P1", "escalation_level": 0,
        "escalations": [], "history": [{"at": now, "status": "pending", "by": created_by}],
    }
    on_duty = await store.staff_on_duty(uow, estate_id, department=order["department"])
    if await store.grab_mode(uow, estate_id, order["department"]):
        order["offered_to"] = [staff["_id"] for staff in on_duty]
    elif assignee := rules.choose_assignee(
        [rules.Candidate(s["_id"], s["name"], s.get("open_orders", 0)) for s in on_duty]
    ):
        order.update(status="assigned", assignee_id=assignee.staff_id, assignee_name=assignee.name)
        order["history"].append({"at": now, "status": "assigned", "by": "dispatch", "assignee_id": assignee.staff_id})
        await store.count_open_order(uow, assignee.staff_id, +1)
    await store.insert(uow, store.WORK_ORDERS, order)
    await clock.start_clock(uow, order, planned)
    _emit_created(uow, order)
    if order["assignee_id"]:
        emit_assigned(uow, order)
    return order


async def create_work_order_for_ticket(uow: UnitOfWork, envelope: Envelope) -> None:
    """A ticket that needs work gets one work order (a redelivered ticket gets none more)."""
    ticket = envelope.data
    department = rules.department_for(ticket["category"])
    if department is None or await store.find_work_order_for_ticket(uow, ticket["ticket_id"]):
        return
    await open_work_order(uow, estate_id=envelope.estateid, company_id=envelope.companyid, fields={
        "ticket_id": ticket["ticket_id"], "ticket_number": ticket["number"], "kind": rules.kind_for(ticket["category"]),
        "department": department, "priority": ticket["priority"], "location": ticket.get("location"),
        "unit_id": ticket.get("unit_id"), "description": ticket["description"],
    })


async def create_work_order(
    database: Database, principal: Principal, request: WorkOrderCreate, *, idempotency_key: str | None
) -> dict[str, Any]:
    """By hand: planned maintenance, inspections, paid services."""
    principal.require_estate(request.estate_id)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        order = await open_work_order(uow, estate_id=request.estate_id, company_id=principal.company_id, fields={
            **request.model_dump(exclude={"estate_id"}), "created_by": principal.user_id,
        })
        return work_order_public(order).model_dump(mode="json")

    return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work)


def _scope(order: dict[str, Any]) -> dict[str, str]:
    return {"subject": order["_id"], "company_id": order["company_id"], "estate_id": order["estate_id"]}


def _emit_created(uow: UnitOfWork, order: dict[str, Any]) -> None:
    uow.emit(WorkOrderCreated(
        work_order_id=order["_id"], number=order["number"], ticket_id=order["ticket_id"],
        department=order["department"], priority=order["priority"], offered_to=order["offered_to"],
        kind=order["kind"],
    ), **_scope(order))


def emit_assigned(uow: UnitOfWork, order: dict[str, Any]) -> None:
    uow.emit(WorkOrderAssigned(
        work_order_id=order["_id"], number=order["number"], ticket_id=order["ticket_id"],
        ticket_number=order["ticket_number"], assignee_id=order["assignee_id"], assignee_name=order["assignee_name"],
        department=order["department"], priority=order["priority"], location=order["location"],
        description=order["description"],
    ), **_scope(order))
