"""The staff messages of dispatch's events as drafts, rendered from the shipped templates.

The consumer goes through the rule table (`rules`) and each estate's templates; these drafts are
the same defaults for one event, for readers and tests of a single message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.notification.domain.contexts import PRIORITY_NAMES, context_for  # noqa: F401 (re-exported)
from services.notification.domain.templates import lookup, render


@dataclass(frozen=True)
class Draft:
    recipient_id: str
    recipient_kind: str
    channel: str
    template: str
    body: str
    urgent: bool


def _body(template: str, data: dict[str, Any], *, time_zone: str = "Asia/Shanghai") -> str:
    return render(lookup({}, template, channel="app_push", language="zh").body,
                  context_for(template, data, time_zone=time_zone))


def work_order_assigned(data: dict[str, Any], time_zone: str) -> Draft:
    """The assignee hears of a new work order at once, on the staff app."""
    return Draft(recipient_id=data["assignee_id"], recipient_kind="staff", channel="app_push",
                 template="workorder.assigned", body=_body("workorder.assigned", data, time_zone=time_zone),
                 urgent=data["priority"] in ("P1", "P2"))


def sla_warning(data: dict[str, Any], *, breached: bool, time_zone: str) -> Draft | None:
    """The assignee is warned at 80% of a deadline and told when it is missed."""
    if not data.get("assignee_id"):
        return None
    template = "sla.breached" if breached else "sla.warning"
    return Draft(recipient_id=data["assignee_id"], recipient_kind="staff", channel="app_push", template=template,
                 body=_body(template, data, time_zone=time_zone), urgent=breached)


def escalated(data: dict[str, Any]) -> Draft | None:
    """Each step of the ladder tells the person on duty at that level, at any hour."""
    if not data.get("recipient_id"):
        return None
    channel = "voice" if data.get("reached_via") == "phone" else "app_push"
    return Draft(recipient_id=data["recipient_id"], recipient_kind="staff", channel=channel,
                 template="workorder.escalated", body=_body("workorder.escalated", data), urgent=True)


def handover_missing(data: dict[str, Any]) -> Draft | None:
    """A shift ended with no handover (交接班): the supervisor on duty hears of it."""
    if not data.get("supervisor_id"):
        return None
    return Draft(recipient_id=data["supervisor_id"], recipient_kind="staff", channel="app_push",
                 template="shift.handover_missing", body=_body("shift.handover_missing", data), urgent=False)


def message_key(event_id: str, recipient_id: str, *, channel: str) -> str:
    """One message per (event, recipient, channel), however often the event is delivered."""
    return f"{event_id}:{recipient_id}:{channel}"


def dedupe_key(event_id: str, draft: Draft) -> str:
    return message_key(event_id, draft.recipient_id, channel=draft.channel)
