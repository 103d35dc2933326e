"""Ticket rules: priority proposed from the text, promised reply times, numbers, life cycle."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from shared.errors import InvalidTransition

Category = Literal["consultation", "help", "repair", "complaint", "suggestion", "praise"]
Priority = Literal["P1", "P2", "P3", "P4"]
Status = Literal["open", "in_progress", "resolved", "followed_up", "closed", "reopened", "cancelled"]

# Repairs, help requests and complaints become work orders; the rest is handled at the desk.
HANDED_TO_DISPATCH: frozenset[str] = frozenset({"repair", "help", "complaint"})

# Danger to people or property now (P1), or urgent (P2). Estates will extend these rules.
PRIORITY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "P1": ("困梯", "被困", "燃气", "煤气", "着火", "火灾", "冒烟", "水浸", "爆管", "停水", "停电",
           "trapped", "gas leak", "fire", "smoke", "flooding", "burst", "no water", "no power", "power cut"),
    "P2": ("漏水", "渗水", "跳闸", "电梯故障", "门禁", "堵塞", "leak", "blocked", "lift fault", "elevator"),
}
DEFAULT_PRIORITY: dict[str, Priority] = {
    "repair": "P3", "help": "P2", "complaint": "P3", "consultation": "P4", "suggestion": "P4", "praise": "P4",
}
PROMISED_REPLY_WITHIN: dict[str, timedelta] = {
    "P1": timedelta(minutes=30), "P2": timedelta(hours=2), "P3": timedelta(hours=24), "P4": timedelta(hours=72),
}
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"in_progress", "resolved", "cancelled"}),
    "in_progress": frozenset({"resolved", "cancelled"}),
    "resolved": frozenset({"followed_up", "reopened", "closed"}),
    "followed_up": frozenset({"closed", "reopened"}),
    "reopened": frozenset({"in_progress", "resolved", "cancelled"}),
    "closed": frozenset(),
    "cancelled": frozenset(),
}


def propose_priority(category: str, text: str) -> Priority:
    """The most urgent priority whose keywords appear in the text, else the category's default."""
    lowered = text.lower()
    for priority in ("P1", "P2"):
        if any(keyword in lowered for keyword in PRIORITY_KEYWORDS[priority]):
            return priority  # type: ignore[return-value]
    return DEFAULT_PRIORITY[category]


def promised_reply_at(priority: str, opened_at: datetime) -> datetime:
    return opened_at + PROMISED_REPLY_WITHIN[priority]


def ticket_number(day: date, sequence: int) -> str:
    """`DH-20261123-0042`: the estate's day and its gapless sequence."""
    return f"DH-{day:%Y%m%d}-{sequence:04d}"


def check_transition(current: str, target: str) -> None:
    if target not in ALLOWED_TRANSITIONS[current]:
        raise InvalidTransition(f"a ticket that is {current} cannot become {target}")


def answered_within_promise(rang_at: datetime | None, answered_at: datetime | None) -> bool | None:
    """The hotline promise: answered within three rings (15 seconds)."""
    if rang_at is None or answered_at is None:
        return None
    return timedelta(0) <= answered_at - rang_at <= timedelta(seconds=15)
