"""The rule table: which event tells whom, with which template, how urgently.

Defaults cover every case of the specification; an estate overrides a rule (switch it off, change its
urgency, its audience or its channels) through the API. A rule's id is its template's name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

URGENCIES = ("safety", "urgent", "normal", "announcement")
CHANNELS = ("sms", "wechat", "app_push", "email", "voice")
# Who a rule tells. Staff: named in the event, or holding a position. Residents: the ticket's caller,
# the residents of a unit, or those an incident affects (its building, or the whole estate). A webhook
# subscription's owner is the user who created it (an integrator or a company admin).
AUDIENCES = (
    "assignee", "offered", "escalation_recipient", "named_supervisor", "named_outgoing", "position:supervisor",
    "position:estate_manager", "ticket_resident", "unit_residents", "incident_residents", "webhook_owner",
)
STAFF_AUDIENCES = frozenset(a for a in AUDIENCES if a in (
    "assignee", "offered", "escalation_recipient", "named_supervisor", "named_outgoing", "webhook_owner")
    or a.startswith("position:"))


@dataclass(frozen=True)
class Rule:
    id: str  # its template's name
    event_type: str
    audience: tuple[str, ...]
    urgency: str
    channels: tuple[str, ...] | None = None  # None: the recipient's own channels, in their order
    enabled: bool = True
    description: str = ""


def _rule(id: str, event_type: str, *, audience: tuple[str, ...], urgency: str, description: str,
          channels: tuple[str, ...] | None = None) -> Rule:
    return Rule(id=id, event_type=event_type, audience=audience, urgency=urgency, channels=channels,
                description=description)


STAFF_APP = ("app_push",)
DEFAULT_RULES: tuple[Rule, ...] = (
    # Residents
    _rule("ticket.received", "intake.ticket.opened", audience=("ticket_resident",), urgency="normal",
          description="The caller hears their ticket's number and when they will have an answer."),
    _rule("ticket.technician_assigned", "dispatch.workorder.assigned", audience=("ticket_resident",), urgency="normal",
          description="The resident hears who will come."),
    _rule("ticket.technician_on_the_way", "dispatch.workorder.accepted", audience=("ticket_resident",),
          urgency="normal",
          description="The technician accepted the order and is on the way."),
    _rule("ticket.work_done", "dispatch.workorder.completed", audience=("ticket_resident",), urgency="normal",
          description="The work is done."),
    _rule("ticket.follow_up", "intake.followup.due", audience=("ticket_resident",), urgency="normal",
          description="The resident is asked how the work went (回访)."),
    _rule("incident.notice", "intake.incident.declared", audience=("incident_residents",), urgency="safety",
          description="Residents of the affected building (or estate) hear of an incident at once."),
    _rule("incident.updated", "intake.incident.updated", audience=("incident_residents",), urgency="normal",
          description="Residents of the affected building hear how the incident goes."),
    _rule("incident.resolved", "intake.incident.resolved", audience=("incident_residents",), urgency="normal",
          description="Residents of the affected building hear that the incident is over."),
    _rule("bill.issued", "billing.bill.issued", audience=("unit_residents",), urgency="normal",
          description="A unit's bill was issued."),
    _rule("bill.overdue", "billing.bill.overdue", audience=("unit_residents",), urgency="normal",
          description="A unit's bill is overdue."),
    _rule("payment.received", "billing.payment.received", audience=("unit_residents",), urgency="normal",
          description="A payment was received: its receipt."),
    _rule("dunning.notice", "billing.dunning.notice_due", audience=("unit_residents",), urgency="normal",
          description="A payment notice (催缴通知)."),
    _rule("balance.low", "billing.balance.low", audience=("unit_residents",), urgency="normal",
          description="The prepaid balance runs low."),
    # Staff
    _rule("workorder.assigned", "dispatch.workorder.assigned", audience=("assignee",), urgency="urgent",
          description="The assignee hears of a new work order at once.", channels=STAFF_APP),
    _rule("workorder.offered", "dispatch.workorder.created", audience=("offered",), urgency="urgent",
          description="Grab mode (抢单): everyone offered the order hears of it.", channels=STAFF_APP),
    _rule("sla.warning", "dispatch.sla.warning", audience=("assignee",), urgency="normal",
          description="80% of a milestone's time has passed.", channels=STAFF_APP),
    _rule("sla.breached", "dispatch.sla.breached", audience=("assignee",), urgency="urgent",
          description="A milestone's deadline passed.",
          channels=STAFF_APP),
    _rule("workorder.escalated", "dispatch.workorder.escalated", audience=("escalation_recipient",), urgency="urgent",
          description="Each step of the escalation ladder tells the person on duty at that level, at any hour.",
          channels=STAFF_APP),
    _rule("shift.handover_due", "dispatch.shift.handover_due", audience=("named_outgoing",), urgency="normal",
          description="A shift ended with no handover yet: the staff on it are asked to file one.",
          channels=STAFF_APP),
    _rule("shift.handover_missing", "dispatch.shift.handover_missing", audience=("named_supervisor",), urgency="normal",
          description="A shift ended with no handover.", channels=STAFF_APP),
    _rule("incident.declared", "intake.incident.declared", audience=("position:supervisor", "position:estate_manager"),
          urgency="safety",
          description="The supervisor and the estate manager hear of an incident at any hour (节假日手机必须开机).",
          channels=STAFF_APP),
    _rule("webhook.disabled", "notification.webhook.disabled", audience=("webhook_owner",), urgency="normal",
          description="The owner of a webhook subscription hears that it was disabled (410, or five failing days) "
                      "and why.",
          channels=("email", "app_push")),
    _rule("report.daily_ready", "reporting.daily_report.ready",
          audience=("position:estate_manager", "position:supervisor"),
          urgency="normal", description="The service centre's daily report is ready.", channels=STAFF_APP),
)
DEFAULTS_BY_ID = {rule.id: rule for rule in DEFAULT_RULES}
EVENT_TYPES = sorted({rule.event_type for rule in DEFAULT_RULES})
# Announcements are sent by hand, not by an event: their template has no rule.
ANNOUNCEMENT_TEMPLATE = "announcement"


class RuleError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def overridden(rule: Rule, override: dict[str, Any] | None) -> Rule:
    """The rule as an estate has changed it (only the fields it set)."""
    if not override:
        return rule
    changes = {key: override[key] for key in ("enabled", "urgency") if override.get(key) is not None}
    for key in ("audience", "channels"):
        if override.get(key) is not None:
            changes[key] = tuple(override[key])
    return replace(rule, **changes)


def check_override(rule: Rule, override: dict[str, Any]) -> None:
    """An estate's change must name known urgencies, audiences and channels; staff rules stay for staff."""
    if (urgency := override.get("urgency")) is not None and urgency not in URGENCIES:
        raise RuleError("urgency", f"urgency is one of {', '.join(URGENCIES)}")
    for index, audience in enumerate(override.get("audience") or ()):
        if audience not in AUDIENCES:
            raise RuleError(f"audience[{index}]", f"unknown audience {audience!r}")
    if override.get("audience") is not None and not override["audience"]:
        raise RuleError("audience", "a rule tells someone; switch it off with enabled=false instead")
    for index, channel in enumerate(override.get("channels") or ()):
        if channel not in CHANNELS:
            raise RuleError(f"channels[{index}]", f"unknown channel {channel!r}")


def rules_for(event_type: str, overrides: dict[str, dict[str, Any]]) -> list[Rule]:
    """The estate's enabled rules for one event type."""
    rules = [overridden(rule, overrides.get(rule.id)) for rule in DEFAULT_RULES if rule.event_type == event_type]
    return [rule for rule in rules if rule.enabled]


def applies(rule: Rule, data: dict[str, Any]) -> bool:
    """Whether this event is one the rule tells of: an incident's update only when its status moved (a call
    joining the incident is the service centre's news, not the residents')."""
    if rule.event_type == "intake.incident.updated":
        return data.get("status") != data.get("previous_status")
    return True


def goes_at_once(urgency: str, data: dict[str, Any]) -> bool:
    """Safety and urgent messages, and anything about a P1, ignore quiet hours."""
    return urgency in ("safety", "urgent") or data.get("priority") == "P1"
