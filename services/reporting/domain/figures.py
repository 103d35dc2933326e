"""How one event moves its day's figures on its own (counters and the day's lists). Pure: the live path
and a rebuild use the same rules; figures that need a case's whole history are in `cases`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from services.reporting.domain.keys import field_key
from shared.estates import local_day
from shared.money import text_to_fen

NOTABLE_PRIORITIES = frozenset({"P1", "P2"})
DESCRIPTION_KEPT = 200  # characters of a description a daily report shows
# Arrears by how old the oldest period owed is, in months at the dunning run.
AGING_BUCKETS = ((1, "0_1m"), (3, "1_3m"), (6, "3_6m"), (12, "6_12m"))
AGING_OLDEST = "12m_plus"


def daily_figures_id(estate_id: str, day: date) -> str:
    return f"{estate_id}:{day.isoformat()}"


def attribution_day(happened_at: datetime, time_zone: str) -> date:
    """Figures count on the estate's local day the thing happened, not the day it arrived."""
    return local_day(happened_at, time_zone)


@dataclass
class Counted:
    """What one event adds to its day: amounts to add and entries of the day's lists (by id, so twice is once)."""

    increments: dict[str, int] = field(default_factory=dict)
    entries: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, amount: int = 1) -> None:
        self.increments[name] = self.increments.get(name, 0) + amount

    def __bool__(self) -> bool:
        return bool(self.increments or self.entries)


def increments_for(kind: str, data: dict[str, Any], *, happened_at: datetime, time_zone: str) -> Counted:
    """The counters and list entries one event adds to its estate's day (empty when it moves none)."""
    counted = Counted()
    rule = _RULES.get(kind)
    if rule is not None:
        rule(counted, data, happened_at, time_zone)
    return counted


def _contact(counted: Counted, data: dict[str, Any], _at: datetime, _tz: str) -> None:
    channel = field_key(data.get("channel"))
    answered = data.get("answered_within_15s")  # None: the ring or answer time was not recorded
    counted.add("contacts_logged")
    counted.add(f"contacts_by_channel.{channel}")
    counted.add("contacts_timed", 0 if answered is None else 1)
    counted.add("contacts_answered_within_15s", 1 if answered else 0)
    if answered is not None:
        counted.add(f"contacts_timed_by_channel.{channel}")
        counted.add(f"contacts_answered_within_15s_by_channel.{channel}", 1 if answered else 0)


def _ticket_opened(counted: Counted, data: dict[str, Any], _at: datetime, _tz: str) -> None:
    # The counts of a ticket are its case's (cases.py); a notable complaint goes on the day's list.
    if data.get("category") == "complaint" and (data.get("major") or data.get("priority") in NOTABLE_PRIORITIES):
        counted.entries[f"notable_complaints.{field_key(data['ticket_id'])}"] = {
            "ticket_id": data["ticket_id"], "number": data.get("number"), "subcategory": data.get("subcategory"),
            "priority": data.get("priority"), "major": bool(data.get("major")), "building_id": data.get("building_id"),
            "location": data.get("location"), "description": (data.get("description") or "")[:DESCRIPTION_KEPT],
            "opened_at": data.get("opened_at"),
        }


def _incident(counted: Counted, data: dict[str, Any], _at: datetime, _tz: str) -> None:
    counted.add("incidents_declared")
    counted.entries[f"incidents.{field_key(data['incident_id'])}"] = {
        "incident_id": data["incident_id"], "number": data.get("number"), "category": data.get("category"),
        "priority": data.get("priority"), "location": data.get("location"),
        "description": (data.get("description") or "")[:DESCRIPTION_KEPT], "declared_at": data.get("declared_at"),
        "tickets": len(data.get("ticket_ids") or []),
    }


def _counter(*names: str):
    def rule(counted: Counted, _data: dict[str, Any], _at: datetime, _tz: str) -> None:
        for name in names:
            counted.add(name)
    return rule


def _bill_issued(counted: Counted, data: dict[str, Any], _at: datetime, _tz: str) -> None:
    # Billed is every bill issued, a run's or not (meter readings, paid services): a run's total alone
    # left those out and put their payments over too small a sum (收缴率 above what it was).
    counted.add("bills_issued")
    counted.add("billed_fen", int(data["amount_fen"]))


def _payment(counted: Counted, data: dict[str, Any], _at: datetime, _tz: str) -> None:
    counted.add("payments")
    counted.add("collected_fen", text_to_fen(data["applied"]))  # what went to bills (收缴)
    counted.add("prepaid_fen", text_to_fen(data["to_balance"]))


def _reversal(counted: Counted, data: dict[str, Any], _at: datetime, _tz: str) -> None:
    # On the day of the reversal (its event's time), not the payment's. Billing reverses a whole payment,
    # which may have gone partly to the prepaid balance: only what had gone to bills comes off collected
    # (收缴), the rest off the prepaid figure. A reversal announced without that split counts it all as
    # bills' (what it did before billing sent it).
    counted.add("payments_reversed")
    if data.get("applied") is None:
        counted.add("reversed_fen", text_to_fen(data["amount"]))
        return
    counted.add("reversed_fen", text_to_fen(data["applied"]))
    counted.add("prepaid_reversed_fen", text_to_fen(data.get("to_balance") or "0"))


def _dunning(counted: Counted, data: dict[str, Any], at: datetime, time_zone: str) -> None:
    amount = text_to_fen(data["amount"])
    counted.add("dunning_notices")
    counted.add("dunning_fen", amount)
    counted.add(f"arrears_by_aging.{aging_bucket(data.get('due_since'), local_day(at, time_zone))}", amount)


def aging_bucket(oldest_period: str | None, on: date) -> str:
    """How old arrears are: months from the oldest period owed (`2026-05`) to the month of `on`."""
    try:
        year, month = (int(part) for part in (oldest_period or "").split("-")[:2])
    except ValueError:
        return "unknown"
    months = (on.year - year) * 12 + on.month - month
    return next((name for limit, name in AGING_BUCKETS if months <= limit), AGING_OLDEST)


def _breach(counted: Counted, data: dict[str, Any], _at: datetime, _tz: str) -> None:
    counted.add("sla_breaches")
    counted.add(f"sla_breaches_by_milestone.{field_key(data.get('milestone'))}")


def _escalation(counted: Counted, data: dict[str, Any], _at: datetime, _tz: str) -> None:
    counted.add("escalations")
    counted.add(f"escalations_by_level.{field_key(data.get('level'))}")


def _staff_name(counted: Counted, data: dict[str, Any], _at: datetime, _tz: str) -> None:
    if data.get("assignee_id") and data.get("assignee_name"):
        counted.entries[f"staff_names.{field_key(data['assignee_id'])}"] = data["assignee_name"]


def _handover_acknowledged(counted: Counted, data: dict[str, Any], _at: datetime, _tz: str) -> None:
    counted.add("handovers_acknowledged")
    counted.add("handovers_with_discrepancies", 1 if data.get("discrepancies") else 0)


_RULES = {
    "intake.contact.logged": _contact,
    "intake.ticket.opened": _ticket_opened,
    "intake.incident.declared": _incident,
    "intake.incident.resolved": _counter("incidents_resolved"),
    "billing.run.completed": _counter("billing_runs"),  # its bills are counted one by one
    "billing.bill.issued": _bill_issued,
    "billing.payment.received": _payment,
    "billing.payment.reversed": _reversal,
    "billing.dunning.notice_due": _dunning,
    "dispatch.sla.warning": _counter("sla_warnings"),
    "dispatch.sla.breached": _breach,
    "dispatch.workorder.escalated": _escalation,
    "dispatch.workorder.assigned": _staff_name,
    "dispatch.workorder.completed": _staff_name,
    "dispatch.shift.handover_filed": _counter("handovers_filed"),
    "dispatch.shift.handover_acknowledged": _handover_acknowledged,
    "dispatch.shift.handover_missing": _counter("handovers_missing"),
}


NO_ANSWER_TIMES = "no answer times were recorded for this day's contacts"


def answered_in_time(document: dict[str, Any]) -> tuple[int | None, str | None]:
    """How many contacts were answered within 15 s, or unknown (None, why) when none was timed.

    A day counted before contacts_timed existed has no such counter; its positive count still stands.
    """
    answered = document.get("contacts_answered_within_15s", 0)
    if document.get("contacts_timed", 0) == 0 and answered == 0:
        return None, NO_ANSWER_TIMES
    return answered, None
