"""Dispatch's use cases, called by the HTTP routes and the event handlers alike."""

from __future__ import annotations

from typing import Any

from pymongo.errors import DuplicateKeyError

from services.dispatch import store
from services.dispatch.api.schemas import StaffCreate, StaffPublic, WorkOrderPublic
from services.dispatch.domain import work_orders as rules
from shared.auth import Principal
from shared.counters import next_value
from shared.db import Database, UnitOfWork
from shared.envelope import Envelope, new_id, utcnow
from shared.errors import Conflict
from shared.estates import estate_time_zone, local_day
from shared.events import WorkOrderAssigned, WorkOrderCreated
from shared.idempotency import create_once


def staff_public(document: dict[str, Any]) -> StaffPublic:
    return StaffPublic(id=document["_id"], **{k: document.get(k) for k in StaffPublic.model_fields if k != "id"})


def work_order_public(document: dict[str, Any]) -> WorkOrderPublic:
    return WorkOrderPublic(id=document["_id"], **{k: document.get(k) for k in WorkOrderPublic.model_fields if k != "id"})


async def register_staff(
    database: Database, principal: Principal, request: StaffCreate, *, idempotency_key: str | None
) -> dict[str, Any]:
    principal.require_estate(request.estate_id)
    document = {
        "_id": request.staff_id or new_id(), "estate_id": request.estate_id, "company_id": principal.company_id,
        "name": request.name, "department": request.department, "skills": request.skills,
        "on_duty": request.on_duty, "open_orders": 0, "registered_at": utcnow(),
    }

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        await store.insert(uow, store.STAFF, document)
        return staff_public(document).model_dump(mode="json")

    try:
        return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work)
    except DuplicateKeyError as duplicate:
        raise Conflict(f"staff {document['_id']} already exists", field="staff_id") from duplicate


async def create_work_order_for_ticket(uow: UnitOfWork, envelope: Envelope) -> None:
    """A ticket that needs work gets one work order, assigned to someone on duty when anyone is."""
    ticket = envelope.data
    department = rules.department_for(ticket["category"])
    if department is None or await store.find_work_order_for_ticket(uow, ticket["ticket_id"]):
        return
    estate_id = envelope.estateid
    now = utcnow()
    day = local_day(now, await estate_time_zone(uow, estate_id))
    counter_id = f"work_order:{estate_id}:{day:%Y%m%d}"
    on_duty = await store.staff_on_duty(uow, estate_id, department)
    assignee = rules.choose_assignee(
        [rules.Candidate(s["_id"], s["name"], s.get("open_orders", 0)) for s in on_duty]
    )
    work_order = {
        "_id": new_id(), "estate_id": estate_id, "company_id": envelope.companyid,
        "number": rules.work_order_number(day, await next_value(uow, counter_id)),
        "ticket_id": ticket["ticket_id"], "ticket_number": ticket["number"], "kind": "ticket",
        "department": department, "priority": ticket["priority"], "location": ticket.get("location"),
        "description": ticket["description"], "status": "assigned" if assignee else "pending",
        "assignee_id": assignee and assignee.staff_id, "assignee_name": assignee and assignee.name,
        "created_at": now, "version": 1,
        "history": [{"at": now, "status": "pending", "by": "dispatch", "event_id": envelope.id}],
    }
    if assignee:
        work_order["history"].append({"at": now, "status": "assigned", "by": "dispatch", "assignee_id": assignee.staff_id})
        await store.count_open_order(uow, assignee.staff_id)
    await store.insert(uow, store.WORK_ORDERS, work_order)
    _emit_created_and_assigned(uow, work_order)


def _emit_created_and_assigned(uow: UnitOfWork, work_order: dict[str, Any]) -> None:
    scope = {"subject": work_order["_id"], "company_id": work_order["company_id"], "estate_id": work_order["estate_id"]}
    uow.emit(
        WorkOrderCreated(
            work_order_id=work_order["_id"], number=work_order["number"], ticket_id=work_order["ticket_id"],
            department=work_order["department"], priority=work_order["priority"],
        ),
        **scope,
    )
    if work_order["assignee_id"]:
        uow.emit(
            WorkOrderAssigned(
                work_order_id=work_order["_id"], number=work_order["number"], ticket_id=work_order["ticket_id"],
                ticket_number=work_order["ticket_number"], assignee_id=work_order["assignee_id"],
                assignee_name=work_order["assignee_name"], department=work_order["department"],
                priority=work_order["priority"], location=work_order["location"],
                description=work_order["description"],
            ),
            **scope,
        )
