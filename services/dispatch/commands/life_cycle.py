"""Moving a work order through its life cycle: one function for every command, checked and versioned."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.dispatch import store
from services.dispatch.commands import clock
from services.dispatch.commands.inputs.work_orders import AssignRequest, CompletionRequest
from services.dispatch.commands.staff import registered_name
from services.dispatch.commands.work_orders import emit_assigned
from services.dispatch.domain.life_cycle import next_status
from services.dispatch.store import staff as staff_store
from services.dispatch.store import work_orders as order_store
from shared import events
from shared.auth import Principal
from shared.db import Database, UnitOfWork
from shared.documents import about
from shared.envelope import utcnow
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.lookup import found
from shared.money import fen_to_text, text_to_fen

MANAGERS = frozenset({"dispatcher", "supervisor", "estate_manager", "company_admin"})
# Commands only a dispatcher or a supervisor may give; the rest the assignee gives too.
MANAGERS_ONLY = frozenset({"assign", "reassign", "cancel"})
EVENTS = {
    "accept": events.WorkOrderAccepted, "grab": events.WorkOrderAccepted, "arrive": events.WorkOrderArrived,
    "hold": events.WorkOrderOnHold, "resume": events.WorkOrderResumed, "cancel": events.WorkOrderCancelled,
    "reassign": events.WorkOrderReassigned, "decline": events.WorkOrderDeclined, "complete": events.WorkOrderCompleted,
    "plan": events.ComplaintPlanRecorded,
}


class VersionConflict(Conflict):
    code, title = "version_conflict", "The work order changed since you read it"


def _check_caller(principal: Principal, order: dict[str, Any], *, command: str) -> None:
    if MANAGERS.intersection(principal.roles):
        return
    if command in MANAGERS_ONLY:
        raise Forbidden(f"'{command}' is for dispatchers and supervisors")
    if command == "grab":
        if principal.user_id not in order.get("offered_to", []):
            raise Forbidden("this order was not offered to you")
    elif principal.user_id != order.get("assignee_id"):
        raise Forbidden("only the assignee or a dispatcher may do this")


def caller_check(command: str):
    """Whether the caller may give `command` to the order of the path, checked before the body is read
    (the command checks again, inside its transaction). Managers need no read."""

    async def check(request, principal: Principal) -> None:
        if MANAGERS.intersection(principal.roles):
            return
        order = found(await store.find_one(request.app.state.runtime.database, store.WORK_ORDERS,
                                     document_id=request.path_params["work_order_id"], scope=principal.estate_filter()),
                      "work order")
        _check_caller(principal, order, command=command)

    return check


async def _assignee(uow: UnitOfWork, order: dict[str, Any], *, request: AssignRequest) -> dict[str, Any]:
    """Manual assignment: someone of this estate, in the order's department, not on leave (422 otherwise)."""
    staff = await store.find_one(uow, store.STAFF, document_id=request.assignee_id,
                                 scope={"estate_id": order["estate_id"]})
    if staff is None:
        raise InvalidInput("no such staff member in this estate", field="assignee_id")
    if staff["department"] != order["department"]:
        raise InvalidInput(f"{staff['name']} is not in {order['department']}", field="assignee_id")
    if staff.get("on_leave"):
        raise InvalidInput(f"{staff['name']} is on leave", field="assignee_id")
    return staff


def _completion(request: CompletionRequest) -> dict[str, Any]:
    if request.chargeable and not request.charges:
        raise InvalidInput("a chargeable completion needs its charge lines", field="charges")
    materials = [
        {"item": m.item, "quantity": str(m.quantity), "unit_price": m.unit_price,
         "amount": fen_to_text(int((Decimal(text_to_fen(m.unit_price)) * m.quantity).to_integral_value()))}
        for m in request.materials
    ]
    charge_lines = [{"description": c.description, "amount": fen_to_text(text_to_fen(c.amount))} for c in request.charges]
    return {**request.model_dump(mode="json", exclude={"materials", "charges"}), "materials": materials,
            "charge_lines": charge_lines if request.chargeable else []}


async def change_work_order(
    database: Database, principal: Principal, *, work_order_id: str, command: str, if_match: int | None = None,
    request: Any = None,
) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        order = found(
            await store.find_one(uow, store.WORK_ORDERS, document_id=work_order_id, scope=principal.estate_filter()),
            "work order"
        )
        if if_match is not None and if_match != order["version"]:
            raise VersionConflict(f"you have version {if_match}; the order is at version {order['version']}")
        _check_caller(principal, order, command=command)
        if command == "plan" and order["kind"] != "complaint_handling":
            raise InvalidInput("only complaint-handling orders have a handling plan", field="plan")
        target = next_status(order["status"], command, held_from=order.get("held_from"))
        now = utcnow()
        fields: dict[str, Any] = {"status": target}
        history = {"at": now, "status": target, "command": command, "by": principal.user_id,
                   "reason": getattr(request, "reason", None)}
        if order.get("queue") and command in ("assign", "grab"):
            fields["queue"] = None  # taken out of the supervisors' queue
        if command in ("assign", "reassign"):
            staff = await _assignee(uow, order, request=request)
            fields.update(assignee_id=staff["_id"], assignee_name=staff["name"])
            history["assignee_id"] = staff["_id"]
        elif command == "grab":
            fields.update(assignee_id=principal.user_id, assignee_name=await registered_name(uow, principal))
        elif command == "decline":
            fields.update(assignee_id=None, assignee_name=None)
        elif command == "hold":
            fields["held_from"] = order["status"]
        elif command == "complete":
            fields["completion"] = {**_completion(request), "completed_at": now}
        elif command == "plan":
            fields["complaint_plan"] = {"plan": request.plan, "at": now, "by": principal.user_id}
        fields.update(await clock.on_transition(uow, order, command=command, now=now))
        changed = order_store.update_work_order(
            uow, order, fields=fields, history=history,
            conflict=VersionConflict("the work order changed at the same moment; read it again"))
        await _count_open_orders(uow, order, fields=fields)
        _emit(uow, command, before=order, after=changed, principal=principal, request=request)
        return changed

    return await database.transaction(work)


async def _count_open_orders(uow: UnitOfWork, before: dict[str, Any], *, fields: dict[str, Any]) -> None:
    """Keep each person's count of open orders, which automatic assignment balances on."""
    still_open = fields["status"] not in ("completed", "cancelled")
    after_assignee = fields.get("assignee_id", before.get("assignee_id")) if still_open else None
    if before.get("assignee_id") != after_assignee:
        await staff_store.count_open_order(uow, before.get("assignee_id"), delta=-1)
        await staff_store.count_open_order(uow, after_assignee, delta=+1)


def _emit(uow: UnitOfWork, command: str, *, before: dict, after: dict, principal: Principal, request: Any) -> None:
    scope = about(after)
    if command == "assign":
        emit_assigned(uow, after)
        return
    common = {
        "work_order_id": after["_id"], "number": after["number"], "ticket_id": after.get("ticket_id"),
        "incident_id": after.get("incident_id"), "status": after["status"], "previous_status": before["status"], "by": principal.user_id,
        "reason": getattr(request, "reason", None), "assignee_id": after.get("assignee_id"),
        "assignee_name": after.get("assignee_name"),
    }
    if command == "plan":
        common["plan"] = after["complaint_plan"]["plan"]  # the complainant's record in intake shows it
    if command == "complete":
        completion = after["completion"]
        common.update(
            work_done=completion["work_done"], materials=completion["materials"],
            labour_minutes=completion["labour_minutes"], photos=completion["photos"],
            responsible_party=completion["responsible_party"], chargeable=completion["chargeable"],
            charge_lines=completion["charge_lines"], unit_id=after.get("unit_id"),
        )
    uow.emit(EVENTS[command](**common), **scope)
    if command == "reassign":
        emit_assigned(uow, after)  # the new assignee hears of it like any assignment
