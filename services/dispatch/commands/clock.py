"""The clock of a work order: its timers filed, withdrawn, paused, and fired exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import UpdateOne

from services.dispatch import store
from services.dispatch.domain import sla
from services.dispatch.store import positions
from services.dispatch.store import work_orders as order_store
from services.dispatch.store.handover import emergency_contact_lines
from shared.db import UnitOfWork
from shared.documents import about
from shared.envelope import utcnow
from shared.events import SlaBreached, SlaWarning, WorkOrderEscalated


def timer_document(order: dict[str, Any], timer: sla.Timer) -> dict[str, Any]:
    suffix = f"escalation:{timer.level}" if timer.kind == "escalation" else f"{timer.milestone}:{timer.kind}"
    return {
        "_id": f"{order['_id']}:{suffix}", "work_order_id": order["_id"], "estate_id": order["estate_id"],
        "company_id": order["company_id"], "milestone": timer.milestone, "kind": timer.kind, "level": timer.level,
        "due_at": timer.due_at, "deadline": timer.deadline, "bucket": sla.bucket_of(timer.due_at), "fired_at": None,
    }


async def start_clock(uow: UnitOfWork, order: dict[str, Any], *, planned: sla.Plan) -> None:
    """File the order's warning and breach timers; a P1 or an unassignable order starts up the ladder at once."""
    timers = list(planned.timers)
    if order["escalation_reason"] in ("P1", "unassigned"):
        timers.append(sla.escalation_step(1, order["created_at"], delays_s=order["ladder_delays_s"]))
    order_store.add_timers(uow, [timer_document(order, timer) for timer in timers])


async def escalate_major_complaint(uow: UnitOfWork, order: dict[str, Any], *, now: datetime) -> None:
    """A major complaint goes straight to the estate manager's step of the ladder."""
    await escalate(uow, order, level=sla.LADDER.index("estate_manager") + 1, now=now)


async def on_transition(uow: UnitOfWork, order: dict[str, Any], *, command: str, now: datetime) -> dict[str, Any]:
    """Move the clock with the life cycle; returns fields to store on the order."""
    if command in ("complete", "cancel"):
        order_store.withdraw_timers(uow, order["_id"])
    elif command in sla.MILESTONE_MET_BY:
        order_store.withdraw_timers(uow, order["_id"], milestones=[sla.MILESTONE_MET_BY[command]])
    elif command == "hold":
        # The clock stops: keep what was left of each timer, and withdraw them.
        paused = await order_store.take_timers(uow, order["_id"])
        return {"paused_timers": [{**t, "remaining_s": (t["due_at"] - now).total_seconds()} for t in paused]}
    elif command == "resume":
        resumed = []
        for timer in order.get("paused_timers", []):
            # A timer that was already due when the order was held fires at once on resume.
            due_at = now + timedelta(seconds=max(0.0, timer["remaining_s"]))
            shift = due_at - timer["due_at"]
            resumed.append({**{k: v for k, v in timer.items() if k != "remaining_s"}, "due_at": due_at,
                            "deadline": timer["deadline"] + shift, "bucket": sla.bucket_of(due_at)})
        order_store.add_timers(uow, resumed)
        return {"paused_timers": []}
    return {}


async def fire(uow: UnitOfWork, timer: dict[str, Any]) -> bool:
    """Fire one due timer, once: claim it, then publish what it means. False if another replica did."""
    now = utcnow()
    if not await order_store.claim_timer(uow, timer, fired_at=now):
        return False
    order = await store.find_one(uow, store.WORK_ORDERS, document_id=timer["work_order_id"])
    if order is None or order["status"] in ("completed", "cancelled"):
        return True
    scope = about(order)
    if timer["kind"] == "escalation":
        await escalate(uow, order, level=timer["level"], now=now)
        return True
    event_type = SlaWarning if timer["kind"] == "warning" else SlaBreached
    uow.emit(event_type(
        work_order_id=order["_id"], number=order["number"], milestone=timer["milestone"], due_at=timer["due_at"],
        deadline=timer["deadline"], fired_at=now, late=sla.is_late(timer["due_at"], now),
        assignee_id=order.get("assignee_id"),
    ), **scope)
    fields: dict[str, Any] = {"sla_state": sla.state_after(timer["kind"], order["sla_state"])}
    if timer["kind"] == "breach" and not order["escalation_reason"]:
        fields["escalation_reason"] = "sla_breached"
        order_store.add_timers(uow,
                               [timer_document(order, sla.escalation_step(1, now, delays_s=order["ladder_delays_s"]))])
    await uow.db[store.WORK_ORDERS].update_one({"_id": order["_id"]}, {"$set": fields}, session=uow.session)
    return True


async def escalate(
    uow: UnitOfWork, order: dict[str, Any], *, level: int, now: datetime, climb: bool = True,
) -> None:
    """One step up the ladder: record it, tell whoever holds that position — on duty (the company's
    roster for a company position), else on call, else the holder by phone — and file the next step
    (unless `climb` is False: a step told out of turn, as the supervisor of an incident)."""
    position = sla.position_at(level)
    recipient, via = await positions.reach(uow, estate_id=order["estate_id"], company_id=order["company_id"],
                                           position=position, at=now)
    contacts = await emergency_contact_lines(uow, order["estate_id"]) if order["priority"] == "P1" else []
    step = {"level": level, "position": position, "at": now, "recipient_id": recipient and recipient["_id"],
            "recipient_name": recipient and recipient["name"], "reached_via": via}
    # At the commit: the order may be one this transaction made (inserted at the commit too).
    uow.write(store.WORK_ORDERS, UpdateOne({"_id": order["_id"]},
                                           {"$set": {"escalation_level": level}, "$push": {"escalations": step}}))
    uow.emit(WorkOrderEscalated(
        work_order_id=order["_id"], number=order["number"], level=level, position=position,
        recipient_id=recipient and recipient["_id"], recipient_name=recipient and recipient["name"],
        reached_via=via, recipient_phone=recipient and recipient.get("phone"), reason=order["escalation_reason"], priority=order["priority"], description=order["description"],
        emergency_contacts=contacts,
    ), **about(order))
    if climb and (next_step := sla.escalation_step(level + 1, now, delays_s=order["ladder_delays_s"])) is not None:
        order_store.add_timers(uow, [timer_document(order, next_step)])
