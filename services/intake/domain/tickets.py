"""Ticket rules: promised reply times, numbers, life cycle, major complaints."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, Literal

from shared.errors import InvalidInput, InvalidTransition

Category = Literal["consultation", "help", "repair", "complaint", "suggestion", "praise"]
Priority = Literal["P1", "P2", "P3", "P4"]
PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4")  # most urgent first
Status = Literal["open", "in_progress", "resolved", "followed_up", "closed", "cancelled"]

# Repairs, help requests and complaints become work orders; the rest is handled at the desk.
HANDED_TO_DISPATCH: frozenset[str] = frozenset({"repair", "help", "complaint"})
# Resolved tickets of these categories get a follow-up call (回访).
FOLLOWED_UP: frozenset[str] = HANDED_TO_DISPATCH
PROMISED_REPLY_WITHIN: dict[str, timedelta] = {
    "P1": timedelta(minutes=30), "P2": timedelta(hours=2), "P3": timedelta(hours=24), "P4": timedelta(hours=72),
}

# The life cycle, as commands: command → {from status: to status}. "reopen" takes a ticket whose
# resident is not satisfied back to in_progress (the `intake.ticket.reopened` event says so).
COMMANDS: dict[str, dict[str, str]] = {
    "start": {"open": "in_progress"},
    "resolve": {"open": "resolved", "in_progress": "resolved"},
    "follow_up": {"resolved": "followed_up"},
    "reopen": {"resolved": "in_progress", "followed_up": "in_progress"},
    "close": {"resolved": "closed", "followed_up": "closed"},
    "cancel": {"open": "cancelled", "in_progress": "cancelled"},
}
FINAL: frozenset[str] = frozenset({"closed", "cancelled"})
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(moves[status] for moves in COMMANDS.values() if status in moves)
    for status in ("open", "in_progress", "resolved", "followed_up", "closed", "cancelled")
}

# A complaint is major when flagged, urgent, or the complainant's third within this window.
MAJOR_COMPLAINT_WINDOW = timedelta(days=30)
MAJOR_COMPLAINT_COUNT = 3


def promised_reply_at(priority: str, opened_at: datetime) -> datetime:
    return opened_at + PROMISED_REPLY_WITHIN[priority]


def new_ticket(
    *, ticket_id: str, estate_id: str, company_id: str, contact_id: str, channel: str, caller_phone: str | None,
    unit_id: str | None, resident_id: str | None, category: str, subcategory: str | None, scope: str | None,
    location: str | None, building_id: str | None, description: str, priority: str | None, proposed_priority: str,
    agent_promised_reply_at: datetime | None, fields: dict[str, Any], by: str, now: datetime,
) -> dict[str, Any]:
    """A ticket as it opens: the agent's priority over the proposed one, and the reply promised by the
    agent or by the priority's time (not numbered yet: the number is the day's next)."""
    priority = priority or proposed_priority
    return {
        "_id": ticket_id, "estate_id": estate_id, "company_id": company_id,
        "category": category, "subcategory": subcategory, "priority": priority,
        "proposed_priority": proposed_priority, "scope": scope, "location": location,
        "building_id": building_id, "unit_id": unit_id, "resident_id": resident_id,
        "caller_phone": caller_phone, "description": description, "channel": channel,
        "contact_id": contact_id, "status": "open", "opened_at": now, "fields": fields,
        "promised_reply_at": agent_promised_reply_at or promised_reply_at(priority, now),
        "promised_reply_by_agent": agent_promised_reply_at is not None,
        "work_order_id": None, "major": False, "first_contact_resolution": False, "reopen_count": 0,
        "complaint": None, "follow_up": None, "version": 1,
        "history": [{"at": now, "status": "open", "action": "open", "by": by}],
    }


def ticket_number(day: date, sequence: int) -> str:
    """`DH-20261123-0042`: the estate's day and its gapless sequence."""
    return f"DH-{day:%Y%m%d}-{sequence:04d}"


def next_status(current: str, command: str) -> str:
    """Where `command` takes a ticket that is `current`; 409 when the life cycle does not allow it."""
    target = COMMANDS[command].get(current)
    if target is None:
        raise InvalidTransition(f"a ticket that is {current} cannot be given '{command}'")
    return target


def check_transition(current: str, target: str) -> None:
    if target not in ALLOWED_TRANSITIONS[current]:
        raise InvalidTransition(f"a ticket that is {current} cannot become {target}")


def check_changeable(status: str) -> None:
    if status in FINAL:
        raise InvalidTransition(f"a ticket that is {status} can no longer be changed")


def recent_complaints(previous: Iterable[datetime], now: datetime) -> list[datetime]:
    """The complainant's complaints within the window, this one included (oldest first)."""
    since = now - MAJOR_COMPLAINT_WINDOW
    return sorted([moment for moment in previous if moment > since] + [now])


def is_major_complaint(category: str, *, flagged: bool, priority: str, complaints_in_window: int) -> bool:
    """Flagged by the agent, P1/P2, or the same complainant's third complaint in 30 days."""
    if category != "complaint":
        return False
    return flagged or priority in ("P1", "P2") or complaints_in_window >= MAJOR_COMPLAINT_COUNT


def complainant_key(*, resident_id: str | None, caller_phone: str | None) -> str | None:
    """Who complains: the resident when known, else the caller's phone (digits only), else nobody."""
    if resident_id:
        return f"resident:{resident_id}"
    digits = "".join(ch for ch in caller_phone or "" if ch.isdigit())
    return f"phone:{digits[-11:]}" if digits else None


CLOCK_SKEW = timedelta(minutes=2)  # how far ahead a phone system's or agent's clock may be


def check_call_times(rang_at: datetime | None, answered_at: datetime | None, *, now: datetime) -> None:
    """A call did not ring in the future, nor was it answered before it rang (422 naming the field)."""
    for name, moment in (("rang_at", rang_at), ("answered_at", answered_at)):
        if moment is not None and moment > now + CLOCK_SKEW:
            raise InvalidInput(f"{name} is in the future (more than {int(CLOCK_SKEW.total_seconds())} s ahead "
                               "of the server's clock)", field=name)
    if rang_at is not None and answered_at is not None and answered_at < rang_at:
        raise InvalidInput("a call is answered after it rings: answered_at is before rang_at", field="answered_at")


def answered_within_promise(rang_at: datetime | None, answered_at: datetime | None) -> bool | None:
    """The hotline promise: answered within three rings (15 seconds)."""
    if rang_at is None or answered_at is None:
        return None
    return timedelta(0) <= answered_at - rang_at <= timedelta(seconds=15)
