"""Which event tells whom, and what it says. The full rule table comes with the notification issue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PRIORITY_NAMES = {"P1": "紧急", "P2": "急", "P3": "一般", "P4": "低"}


@dataclass(frozen=True)
class Draft:
    recipient_id: str
    recipient_kind: str
    channel: str
    template: str
    body: str
    urgent: bool


def work_order_assigned(data: dict[str, Any]) -> Draft:
    """The assignee hears of a new work order at once, on the staff app."""
    where = f"（{data['location']}）" if data.get("location") else ""
    body = (
        f"新派工单 {data['number']}：{data['description']}{where}，"
        f"优先级 {data['priority']} {PRIORITY_NAMES.get(data['priority'], '')}。请尽快接单。"
    )
    return Draft(
        recipient_id=data["assignee_id"], recipient_kind="staff", channel="app_push",
        template="workorder.assigned", body=body, urgent=data["priority"] in ("P1", "P2"),
    )


def dedupe_key(event_id: str, draft: Draft) -> str:
    """One message per (event, recipient, channel), however often the event is delivered."""
    return f"{event_id}:{draft.recipient_id}:{draft.channel}"
