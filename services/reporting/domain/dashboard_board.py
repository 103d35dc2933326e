"""The live board's rules: how dispatch's and intake's events move one work order, one ticket,
one estate's counters and its timeline. Pure (no I/O), so that they are unit-tested alone.

Events arrive late, twice or out of order. A work order's or a ticket's status is the one of its
latest event by the event's `time` (not by arrival); facts that do not depend on order (its
priority, a deadline, a milestone met, a breach) are kept whenever they arrive. The estate's open
counts move by the difference a document's change makes, so replaying a known state moves nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

WORK_ORDER_OPEN = frozenset({"pending", "assigned", "accepted", "arrived", "on_hold"})
TICKET_OPEN = frozenset({"open", "in_progress"})
MILESTONES = ("accept", "arrive", "complete")
# A status reached means these milestones were met (an order grabbed is accepted at once).
MILESTONES_MET = {"accepted": ("accept",), "arrived": ("accept", "arrive"), "on_hold": ("accept",),
                  "completed": MILESTONES}
# Timeline kinds, by routing key; the page words each kind in the chosen language.
TIMELINE_KINDS = {
    "intake.ticket.opened": "ticket_opened",
    "dispatch.workorder.created": "work_order_created",
    "dispatch.workorder.completed": "work_order_completed",
    "dispatch.workorder.cancelled": "work_order_cancelled",
    "dispatch.sla.warning": "sla_warning",
    "dispatch.sla.breached": "sla_breached",
    "dispatch.workorder.escalated": "escalated",
    "intake.incident.resolved": "incident_resolved",
}
WORK_ORDER_EVENTS = "dispatch.workorder."
SLA_EVENTS = "dispatch.sla."
TICKET_EVENTS = "intake.ticket."


def is_board_event(routing_key: str) -> bool:
    return routing_key.startswith((WORK_ORDER_EVENTS, SLA_EVENTS, TICKET_EVENTS)) or routing_key in TIMELINE_KINDS


def _later_or_same(moment: datetime, than: datetime | None) -> bool:
    return than is None or moment >= than


def new_work_order(work_order_id: str, estate_id: str, *, company_id: str) -> dict[str, Any]:
    return {"_id": work_order_id, "estate_id": estate_id, "company_id": company_id, "number": None,
            "priority": None, "department": None, "status": None, "status_at": None, "created_at": None,
            "first_seen_at": None, "open": False, "deadlines": {}, "met": [], "warned": [], "breached": []}


def apply_to_work_order(order: dict[str, Any], routing_key: str, *, time: datetime, data: dict[str, Any]) -> dict[str,
                                                                                                                  Any]:
    """The order after one of its events (a new dict; `order` is left as it was)."""
    order = {**order, "deadlines": dict(order["deadlines"]), "met": list(order["met"]),
             "warned": list(order["warned"]), "breached": list(order["breached"])}
    order["number"] = order["number"] or data.get("number")
    if order["first_seen_at"] is None or time < order["first_seen_at"]:
        order["first_seen_at"] = time
    if data.get("priority"):
        order["priority"] = data["priority"]
    if data.get("department"):
        order["department"] = data["department"]
    status: str | None = None
    if routing_key == "dispatch.workorder.created":
        order["created_at"] = time
        status = "pending"
    elif routing_key == "dispatch.workorder.assigned":
        status = "assigned"
        if data.get("accept_by"):
            order["deadlines"]["accept"] = data["accept_by"]
    elif routing_key.startswith(SLA_EVENTS):
        milestone = data["milestone"]
        order["deadlines"][milestone] = data["deadline"]
        marks = order["breached"] if routing_key == "dispatch.sla.breached" else order["warned"]
        if milestone not in marks:
            marks.append(milestone)
    elif routing_key.startswith(WORK_ORDER_EVENTS) and data.get("status"):
        status = data["status"]
    for milestone in MILESTONES_MET.get(status or "", ()):
        if milestone not in order["met"]:
            order["met"].append(milestone)
    for marks in ("met", "warned", "breached"):  # in milestone order, whatever order their events came in
        order[marks].sort(key=lambda milestone: MILESTONES.index(milestone) if milestone in MILESTONES else 99)
    if status is not None and _later_or_same(time, order["status_at"]):
        order["status"], order["status_at"] = status, time
    # Until its first status is known (a warning before anything else), an order counts as open.
    order["open"] = order["status"] in WORK_ORDER_OPEN if order["status"] else bool(order["warned"] or order["breached"])
    return order


def next_deadline(order: dict[str, Any]) -> tuple[str | None, datetime | None]:
    """The milestone still to meet with the earliest known deadline."""
    pending = [(deadline, milestone) for milestone, deadline in order["deadlines"].items()
               if milestone in MILESTONES and milestone not in order["met"]]
    if not pending:
        return None, None
    deadline, milestone = min(pending, key=lambda item: _as_datetime(item[0]))
    return milestone, _as_datetime(deadline)


def _as_datetime(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def sla_state(order: dict[str, Any]) -> str:
    """`breached` (a deadline passed), `at_risk` (80% of a time used, unmet), or `ok`."""
    if order["breached"]:
        return "breached"
    if any(milestone not in order["met"] for milestone in order["warned"]):
        return "at_risk"
    return "ok"


def new_ticket(ticket_id: str, estate_id: str, *, company_id: str) -> dict[str, Any]:
    return {"_id": ticket_id, "estate_id": estate_id, "company_id": company_id, "number": None,
            "priority": None, "category": None, "status": None, "status_at": None, "open": False}


def apply_to_ticket(ticket: dict[str, Any], routing_key: str, *, time: datetime, data: dict[str, Any]) -> dict[str,
                                                                                                               Any]:
    ticket = dict(ticket)
    ticket["number"] = ticket["number"] or data.get("number")
    status = "open" if routing_key == "intake.ticket.opened" else data.get("status")
    if routing_key == "intake.ticket.opened":
        ticket["priority"], ticket["category"] = data["priority"], data["category"]
    if status and _later_or_same(time, ticket["status_at"]):
        ticket["status"], ticket["status_at"] = status, time
    ticket["open"] = ticket["status"] in TICKET_OPEN
    return ticket


def ticket_counts(ticket: dict[str, Any] | None) -> dict[str, int]:
    """What one ticket adds to its estate's open counts."""
    if ticket is None or not ticket["open"]:
        return {"open_tickets": 0, "open_p1": 0}
    return {"open_tickets": 1, "open_p1": 1 if ticket["priority"] == "P1" else 0}


def count_change(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, int]:
    old, new = ticket_counts(before), ticket_counts(after)
    return {name: new[name] - old[name] for name in new if new[name] != old[name]}


def day_increments(routing_key: str, data: dict[str, Any]) -> dict[str, int]:
    """What an event adds to its estate's local day on the board (calls, answers, breaches)."""
    if routing_key == "intake.contact.logged":
        answered = data.get("answered_within_15s")
        return {"calls": 1, "calls_timed": 0 if answered is None else 1, "answered_15s": 1 if answered else 0}
    if routing_key == "dispatch.sla.breached":
        return {"breaches": 1}
    return {}


def timeline_entry(routing_key: str, data: dict[str, Any]) -> dict[str, Any] | None:
    kind = TIMELINE_KINDS.get(routing_key)
    if kind is None:
        return None
    return {"kind": kind, "number": data.get("number"), "priority": data.get("priority"),
            "category": data.get("category"), "milestone": data.get("milestone"), "level": data.get("level")}


def answer_rate(answered: int, timed: int) -> float | None:
    """Answered within 15 s over calls whose times were recorded; None when none was."""
    return round(answered / timed, 4) if timed else None


def collection_rate(billed_fen: int | None, collected_fen: int | None) -> float | None:
    if billed_fen is None or collected_fen is None or billed_fen == 0:
        return None
    return round(collected_fen / billed_fen, 4)


def level(value: float | int | None, *, amber: float, red: float, higher_is_worse: bool) -> str:
    """The tile colour of one figure: `red`, `amber` or `ok` (`unknown` when not recorded)."""
    if value is None:
        return "unknown"
    if higher_is_worse:
        return "red" if value >= red else "amber" if value >= amber else "ok"
    return "red" if value < red else "amber" if value < amber else "ok"
