"""Work orders: created from tickets or by hand, assigned, and moved through their life cycle."""

from __future__ import annotations

from typing import Any

from services.dispatch.commands import clock
from services.dispatch.commands.inputs.work_orders import WorkOrderCreate
from services.dispatch.domain import sla
from services.dispatch.domain import work_orders as rules
from services.dispatch.domain.positions import WORKERS
from services.dispatch.store import staff as staff_store
from services.dispatch.store import work_orders as order_store
from shared.auth import Principal
from shared.consumer import Event
from shared.counters import next_value
from shared.db import Database, UnitOfWork
from shared.documents import Presenter, about
from shared.envelope import new_id, utcnow
from shared.estates import estate_time_zone, local_day
from shared.events import IncidentDeclared, TicketOpened, WorkOrderAssigned, WorkOrderCreated
from shared.idempotency import create_once


async def open_work_order(uow: UnitOfWork, *, estate_id: str, company_id: str, fields: dict[str, Any]) -> dict:
    """Number it, assign it (or offer it, in grab mode), start its clock, and tell everyone."""
    now = utcnow()
    created_by = fields.pop("created_by", "dispatch")
    major = fields.pop("major", False)
    escalation_reason = fields.pop("escalation_reason", None)  # a cause of its own (an incident) keeps the ladder
    day = local_day(now, await estate_time_zone(uow, estate_id))
    policy = await order_store.sla_policy(uow, estate_id)
    subcategory = fields.get("subcategory")
    planned = sla.plan(fields["priority"], now, policy=policy, kind=fields["kind"], subcategory=subcategory)
    number = rules.work_order_number(day, await next_value(uow, f"work_order:{estate_id}:{day:%Y%m%d}"))
    order = {
        "_id": new_id(), "estate_id": estate_id, "company_id": company_id, "number": number, "ticket_id": None,
        "ticket_number": None, "incident_id": None, "location": None, "unit_id": None, "skill": None,
        "subcategory": None, "routed_from": None, "fallback_reason": None, **fields,
        "clock": policy.clock_of(fields["priority"], subcategory),
        "emergency": policy.is_emergency(fields["priority"], subcategory),
        "status": "pending", "assignee_id": None, "assignee_name": None, "offered_to": [], "queue": None,
        "created_at": now, "version": 1, "deadlines": planned.deadlines,
        "deadlines_approximate": planned.approximate, "sla_state": "ok", "ladder_delays_s": policy.ladder_delays_s,
        "escalation_reason": escalation_reason or (
            "major_complaint" if major else ("P1" if fields["priority"] == "P1" else None)),
        "escalation_level": 0, "major": major,
        "escalations": [], "history": [{"at": now, "status": "pending", "by": created_by}],
    }
    order["source"] = order_store.source_of(ticket_id=order["ticket_id"], incident_id=order["incident_id"],
                                      order_id=order["_id"])
    if order["kind"] != "complaint_handling":  # a complaint's handling is the supervisor's, always
        await _fall_back_if_empty(uow, order, now=now)
    await _assign_or_offer(uow, order, now=now)
    order_store.add_work_order(uow, order)
    await clock.start_clock(uow, order, planned=planned)
    _emit_created(uow, order)
    if order["assignee_id"]:
        emit_assigned(uow, order)
    if major:  # a major complaint goes to the estate manager at once (投诉处理程序)
        await clock.escalate_major_complaint(uow, order, now=now)
    return order


def _candidates(staff: list[dict[str, Any]]) -> list[rules.Candidate]:
    return [rules.Candidate(s["_id"], s["name"], s.get("open_orders", 0), frozenset(s.get("skills", [])),
                            s.get("on_call", False)) for s in staff]


async def _fall_back_if_empty(uow: UnitOfWork, order: dict[str, Any], *, now) -> None:
    """A department with nobody right now hands the order to its named fallback, with the reason kept."""
    department = order["department"]
    staffed = await staff_store.departments_with_workers(uow, order["estate_id"], available_only=True)
    named = (await staff_store.department_settings(uow, order["estate_id"],
                                                   department=department)).get("fallback_department")
    fallback = rules.fallback_for(department, staffed, named=named)
    if fallback is None:
        return
    order["fallback_reason"] = fallback.reason
    if fallback.department is not None:
        order.update(department=fallback.department, routed_from=department, skill=None)
    order["history"].append({"at": now, "status": "pending", "by": "dispatch", "routed_to": order["department"],
                             "reason": fallback.reason})


async def _assign_or_offer(uow: UnitOfWork, order: dict[str, Any], *, now) -> None:
    estate_id, department = order["estate_id"], order["department"]
    if order["kind"] == "complaint_handling":  # complaints go to the customer-service supervisor
        on_duty = await staff_store.staff_on_duty(uow, estate_id, department="customer_service", position="supervisor")
        on_call: list[dict[str, Any]] = []
    else:  # only the staff who do the department's work (positions: domain/positions.py)
        on_duty = await staff_store.staff_on_duty(uow, estate_id, department=department, position=WORKERS)
        on_call = await staff_store.workers_on_call(uow, estate_id, department=department)
    candidates = _candidates(on_duty)
    offered = [c for c in candidates if order["skill"] in c.skills] or candidates  # the skilled first
    if order["kind"] != "complaint_handling" and offered and await staff_store.grab_mode(uow, estate_id,
                                                                                         department=department):
        order["offered_to"] = [candidate.staff_id for candidate in offered]
        return
    chosen = rules.assign(candidates, _candidates(on_call), skill=order["skill"])
    if chosen.candidate is None:
        # Nobody to give it to: the supervisors' queue, and the ladder starts at once.
        order.update(queue="supervisors", escalation_reason=order["escalation_reason"] or "unassigned")
        return
    order.update(status="assigned", assignee_id=chosen.candidate.staff_id, assignee_name=chosen.candidate.name)
    order["history"].append({"at": now, "status": "assigned", "by": "dispatch", "via": chosen.via,
                             "assignee_id": chosen.candidate.staff_id})
    await staff_store.count_open_order(uow, chosen.candidate.staff_id, delta=+1)


async def create_work_order_for_ticket(uow: UnitOfWork, event: Event[TicketOpened]) -> dict | None:
    """A ticket that needs work gets one work order (the caller knows it has none yet); None if it needs none."""
    ticket, envelope = event.payload, event.envelope
    estate_rules = await order_store.routing_rules(uow, envelope.estateid)
    rule = rules.route(ticket.category, ticket.subcategory, scope=ticket.scope, estate_rules=estate_rules)
    if rule is None:
        return None
    return await open_work_order(uow, estate_id=envelope.estateid, company_id=envelope.companyid, fields={
        "ticket_id": ticket.ticket_id, "ticket_number": ticket.number, "kind": rule.kind,
        "subcategory": ticket.subcategory, "department": rule.department, "skill": rule.skill,
        "priority": ticket.priority, "location": ticket.location, "unit_id": ticket.unit_id,
        "description": ticket.description, "major": ticket.major,
    })


async def create_work_order_for_incident(uow: UnitOfWork, event: Event[IncidentDeclared]) -> dict:
    """An incident has one work order, however many tickets it groups (the caller knows it has none yet)."""
    incident, envelope = event.payload, event.envelope
    rule = rules.route(incident.category, incident.subcategory, scope="public_area",
                       estate_rules=await order_store.routing_rules(uow, envelope.estateid))
    return await open_work_order(uow, estate_id=envelope.estateid, company_id=envelope.companyid, fields={
        "incident_id": incident.incident_id, "kind": rule.kind if rule else "repair",
        "department": rule.department if rule else "engineering", "skill": rule.skill if rule else None,
        "subcategory": incident.subcategory, "priority": incident.priority, "location": incident.location,
        "description": incident.description, "escalation_reason": "incident",
    })


async def create_work_order(
    database: Database, principal: Principal, *, request: WorkOrderCreate, idempotency_key: str | None,
    present: Presenter,
) -> dict[str, Any]:
    """By hand: planned maintenance, inspections, paid services."""
    await principal.require_estate(request.estate_id)

    async def work(uow: UnitOfWork) -> dict[str, Any]:
        order = await open_work_order(uow, estate_id=request.estate_id, company_id=principal.company_id, fields={
            **request.model_dump(exclude={"estate_id"}), "created_by": principal.user_id,
        })
        return present(order)

    return await create_once(database=database, principal=principal, key=idempotency_key, body=request, work=work)


def _emit_created(uow: UnitOfWork, order: dict[str, Any]) -> None:
    uow.emit(WorkOrderCreated(
        work_order_id=order["_id"], number=order["number"], ticket_id=order["ticket_id"],
        incident_id=order["incident_id"], queue=order["queue"],
        department=order["department"], priority=order["priority"], offered_to=order["offered_to"],
        kind=order["kind"],
    ), **about(order))


def emit_assigned(uow: UnitOfWork, order: dict[str, Any]) -> None:
    uow.emit(WorkOrderAssigned(
        work_order_id=order["_id"], number=order["number"], ticket_id=order["ticket_id"],
        ticket_number=order["ticket_number"], assignee_id=order["assignee_id"], assignee_name=order["assignee_name"],
        department=order["department"], priority=order["priority"], location=order["location"],
        description=order["description"], incident_id=order.get("incident_id"),
        accept_by=(order.get("deadlines") or {}).get("accept"),
    ), **about(order))
