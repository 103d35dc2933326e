"""Figures that need more than one event: a ticket's or a work order's whole history.

A case (ticket or work order) keeps the summaries of all its events seen so far. What it adds to the
daily figures is a pure function of that set, whatever order the events came in: the read model
moves by the difference between the case's contributions after and before a batch. So a late or
out-of-order event corrects the days it touches, a duplicate changes nothing, and a rebuild from the
archive in any order lands on the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from services.reporting.domain.keys import field_key
from shared.estates import local_day

Contributions = dict[tuple[str, str], int]  # (local day, field) → amount

TICKET_KINDS = frozenset({
    "intake.ticket.opened", "intake.ticket.resolved", "intake.ticket.followed_up", "intake.ticket.closed",
    "intake.ticket.reopened", "intake.ticket.cancelled", "intake.followup.due", "intake.followup.completed",
})
WORK_ORDER_KINDS = frozenset({
    "dispatch.workorder.created", "dispatch.workorder.accepted", "dispatch.workorder.arrived",
    "dispatch.workorder.completed", "dispatch.workorder.cancelled", "dispatch.workorder.plan_recorded",
    "dispatch.sla.breached",
})
# A work order's completion also tells its ticket who did the work (staff satisfaction by follow-up).
TICKET_ALSO = frozenset({"dispatch.workorder.completed"})
HANDLED = frozenset({"intake.ticket.resolved", "intake.ticket.followed_up", "intake.ticket.closed",
                     "intake.ticket.cancelled"})
FOLLOW_UP_WINDOW = timedelta(hours=24)
SATISFIED_FROM = 4  # 满意率: the share of 4–5 of 5
KEPT_FIELDS = ("category", "subcategory", "priority", "resident_id", "building_id", "first_contact_resolution",
               "due_by", "follow_up_id", "result", "score", "assignee_id", "department", "milestone")


def summary(event_id: str, kind: str, *, time: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """What a case keeps of one event: its id, kind, time and the few fields its figures read."""
    kept = {name: data[name] for name in KEPT_FIELDS if data.get(name) is not None}
    if data.get("kind") is not None:  # a work order's kind (repair, complaint…), beside the event's own
        kept["order_kind"] = data["kind"]
    return {**kept, "id": event_id, "kind": kind, "time": time}


def _in_order(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # The opening event first at equal times; then by time and id, so the walk is the same in any arrival order.
    return sorted(events, key=lambda e: (_aware(e["time"]), e["kind"] not in ("intake.ticket.opened",
                                                                           "dispatch.workorder.created"), e["id"]))


def _aware(moment: datetime) -> datetime:
    # The database gives times back naive (UTC); events parse them aware.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _first(events: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    return next((e for e in events if e["kind"] == kind), None)


def ticket_contributions(events: list[dict[str, Any]], time_zone: str) -> Contributions:
    """A ticket's figures: opened by category, first-contact resolution, complaints, the backlog, follow-ups."""
    out: Contributions = defaultdict(int)
    ordered = _in_order(events)
    opened = _first(ordered, "intake.ticket.opened")
    if opened is None:  # nothing is known of the ticket until it is opened: its other events wait
        return {}

    def day(event: dict[str, Any]) -> str:
        return local_day(_aware(event["time"]), time_zone).isoformat()

    opened_day, category = day(opened), opened.get("category", "unknown")
    out[opened_day, "tickets_opened"] += 1
    out[opened_day, f"tickets_by_category.{field_key(category)}"] += 1
    out[opened_day, f"tickets_by_subcategory.{field_key(category)}:{field_key(opened.get('subcategory'))}"] += 1
    out[opened_day, f"tickets_by_priority.{field_key(opened.get('priority'))}"] += 1
    if category == "complaint":
        out[opened_day, "complaints"] += 1
        out[opened_day, f"complaints_by_subcategory.{field_key(opened.get('subcategory'))}"] += 1
        out[opened_day, f"complaints_by_building.{field_key(opened.get('building_id'))}"] += 1
        if opened.get("resident_id"):
            out[opened_day, f"complaints_by_resident.{field_key(opened['resident_id'])}"] += 1
    # The backlog: +1 the day it opens or reopens, -1 the day it is handled; open at a day's end is the sum.
    is_open = True
    if opened.get("first_contact_resolution"):
        out[opened_day, "tickets_resolved_first_contact"] += 1
        out[opened_day, "tickets_handled"] += 1
        is_open = False
    if is_open:
        out[opened_day, "tickets_open_delta"] += 1
    worker: dict[str, Any] | None = None
    due_at: dict[str, datetime] = {}
    for event in ordered:
        kind = event["kind"]
        if kind in HANDLED and is_open:
            is_open = False
            out[day(event), "tickets_handled"] += 1
            out[day(event), "tickets_open_delta"] -= 1
        elif kind == "intake.ticket.reopened":
            out[day(event), "tickets_reopened"] += 1
            if not is_open:
                is_open = True
                out[day(event), "tickets_open_delta"] += 1
        elif kind == "dispatch.workorder.completed":
            worker = event
        elif kind == "intake.followup.due":
            due_at[event.get("follow_up_id", "")] = _aware(event["time"])
            out[day(event), "followups_due"] += 1
        elif kind == "intake.followup.completed":
            _follow_up(out, day(event), event=event, due_at=due_at.get(event.get("follow_up_id", "")), worker=worker)
    return dict(out)


def _follow_up(out: Contributions, day: str, *, event: dict[str, Any], due_at: datetime | None,
               worker: dict[str, Any] | None) -> None:
    result = event.get("result")
    if result == "withdrawn":
        return
    if result == "unreachable":
        out[day, "followups_unreachable"] += 1
        return
    out[day, "followups_done"] += 1
    if due_at is not None:  # within 24 h of the work being done; unknown when the due event is missing
        out[day, "followups_timed"] += 1
        if _aware(event["time"]) - due_at <= FOLLOW_UP_WINDOW:
            out[day, "followups_done_within_24h"] += 1
    score = event.get("score")
    if score is None:
        return
    out[day, "satisfaction_sum"] += score
    out[day, "satisfaction_count"] += 1
    out[day, "satisfaction_satisfied"] += 1 if score >= SATISFIED_FROM else 0
    if worker is not None and worker.get("assignee_id"):
        person = field_key(worker["assignee_id"])
        out[day, f"staff.{person}.satisfaction_sum"] += score
        out[day, f"staff.{person}.satisfaction_count"] += 1


def work_order_contributions(events: list[dict[str, Any]], time_zone: str) -> Contributions:
    """A work order's figures: created, on-time accept / arrive / complete, handling time, staff, complaints."""
    out: Contributions = defaultdict(int)
    ordered = _in_order(events)
    created = _first(ordered, "dispatch.workorder.created")
    if created is None:
        return {}

    def day(event: dict[str, Any]) -> str:
        return local_day(_aware(event["time"]), time_zone).isoformat()

    department = field_key(created.get("department"))
    complaint = created.get("order_kind") == "complaint_handling"
    out[day(created), "work_orders_created"] += 1
    out[day(created), f"work_orders_by_department.{department}"] += 1
    breached = {e.get("milestone") for e in ordered if e["kind"] == "dispatch.sla.breached"}
    milestones = (("dispatch.workorder.plan_recorded", "plan", "complaint_plans"),
                  ("dispatch.workorder.completed", "feedback", "complaint_feedback")) if complaint else (
        ("dispatch.workorder.accepted", "accept", "work_orders_accepted"),
        ("dispatch.workorder.arrived", "arrive", "work_orders_arrived"))
    for kind, milestone, name in milestones:
        if (reached := _first(ordered, kind)) is not None:
            out[day(reached), name] += 1
            out[day(reached), f"{name}_on_time"] += 0 if milestone in breached else 1
    completed = _first(ordered, "dispatch.workorder.completed")
    if completed is None:
        return dict(out)
    on_time = 0 if ("feedback" if complaint else "complete") in breached else 1
    done_day = day(completed)
    out[done_day, "work_orders_completed"] += 1
    out[done_day, "work_orders_completed_on_time"] += on_time
    minutes = int((_aware(completed["time"]) - _aware(created["time"])).total_seconds() // 60)
    out[done_day, f"handling_minutes.{max(minutes, 0)}"] += 1
    out[done_day, f"departments.{department}.completed"] += 1
    out[done_day, f"departments.{department}.completed_on_time"] += on_time
    if completed.get("assignee_id"):
        person = field_key(completed["assignee_id"])
        out[done_day, f"staff.{person}.completed"] += 1
        out[done_day, f"staff.{person}.completed_on_time"] += on_time
    return dict(out)


def difference(after: Contributions, before: Contributions) -> Contributions:
    """What to add to the days so that they hold `after` instead of `before` (zeros left out)."""
    changed = {key: after.get(key, 0) - before.get(key, 0) for key in after.keys() | before.keys()}
    return {key: amount for key, amount in changed.items() if amount}


def merge_events(known: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The case's events with the new ones, each event once (a redelivery or a second rebuild pass adds nothing)."""
    seen = {e["id"] for e in known}
    merged = list(known)
    for event in new:
        if event["id"] not in seen:
            seen.add(event["id"])
            merged.append(event)
    return merged

