"""Events of billing: runs, payments and their reversals. Amounts are yuan strings with two places."""

from __future__ import annotations

from datetime import date, datetime

from shared.events.registry import Parts, Payload, event

__all__ = ["BalanceLow", "BillIssued", "BillOverdue", "BillingRunCompleted", "BillsIssued", "BillsOverdue", "DayClosed",
           "DunningNoticeDue", "PaymentReceived", "PaymentReversed"]


@event("billing.bill.issued")
class BillIssued(Payload):
    """A bill (one line: a unit, an item, a period) was issued, by a run, a meter reading or a one-off charge.

    Once per bill, whatever the reruns or redeliveries. `resident_ids` and `owner_ids` are the people
    billing knows in the unit when the bill was issued (empty when none is known)."""

    bill_id: str
    unit_id: str
    resident_ids: list[str] = []
    owner_ids: list[str] = []
    item: str
    item_name_zh: str
    item_name_en: str
    period: str
    amount_fen: int
    amount: str
    due_date: date
    # What was paid on it when it was announced (at once from the unit's prepaid balance, 预存), in fen.
    paid_fen: int = 0


@event("billing.bills.issued", parts=Parts(field="bills", of=BillIssued, subject="bill_id"))
class BillsIssued(Payload):
    """Bills issued together (a billing run's chunk of units): a carrier of `billing.bill.issued` events.

    Consumers, webhooks and AMQP subscriptions get its bills as `billing.bill.issued` events, one each
    (id `<this event's id>-<n>`); it travels as one so that a run of 100,000 bills makes 100 messages."""

    bills: list[BillIssued]


@event("billing.bill.overdue")
class BillOverdue(Payload):
    """A bill passed its due date with something still owed on it: once per bill."""

    bill_id: str
    unit_id: str
    resident_ids: list[str] = []
    owner_ids: list[str] = []
    item: str
    period: str
    amount_fen: int
    outstanding_fen: int
    outstanding: str
    due_date: date
    overdue_since: date  # the first local day it is overdue (the day after its due date)


@event("billing.bills.overdue", parts=Parts(field="bills", of=BillOverdue, subject="bill_id"))
class BillsOverdue(Payload):
    """Bills overdue together (those a billing run's chunk issued with one due date): a carrier of
    `billing.bill.overdue` events, delivered to consumers, webhooks and AMQP subscriptions as its parts."""

    bills: list[BillOverdue]


@event("billing.run.completed")
class BillingRunCompleted(Payload):
    """A billing run issued its bill lines (one per unit, item and period; a rerun issues none)."""

    billing_run_id: str
    period: str
    items: list[str]
    lines_created: int
    lines_existing: int
    amount_created: str
    completed_at: datetime


@event("billing.payment.received")
class PaymentReceived(Payload):
    """A payment for a unit was taken, with its receipt number, spread over bills and the prepaid balance."""

    payment_id: str
    unit_id: str
    receipt_number: str
    amount: str
    method: str
    applied: str
    to_balance: str
    line_ids: list[str]
    received_at: datetime


@event("billing.payment.reversed")
class PaymentReversed(Payload):
    """A payment was reversed (冲正) by a new entry: its bills are open again, its prepaid part withdrawn."""

    payment_id: str
    unit_id: str
    receipt_number: str
    amount: str
    reason: str
    reversed_at: datetime
    # What of it had gone to bills and what to the prepaid balance (the payment's `applied` and
    # `to_balance`): the reversal takes each back. None on a reversal announced before they were sent.
    applied: str | None = None
    to_balance: str | None = None


@event("billing.day.closed")
class DayClosed(Payload):
    """A clerk closed their day (日结): totals by method, counted cash and the difference (长短款)."""

    day_close_id: str
    clerk_id: str
    day: date
    totals: dict[str, str]
    counted_cash: str
    over_short: str
    closed_at: datetime


@event("billing.dunning.notice_due")
class DunningNoticeDue(Payload):
    """A unit owes more than its estate's threshold: a payment notice (催缴通知) is due to its residents."""

    dunning_run_id: str
    unit_id: str
    amount: str
    periods: list[str]
    items: list[str]
    due_since: str  # the oldest period owed


@event("billing.balance.low")
class BalanceLow(Payload):
    """A unit's prepaid balance fell below its estate's threshold (once per crossing): warn its residents.
    `balance_kind` names which balance: `general` (预存) or `electricity` (a prepaid meter's credit, 预交电费);
    an event sent before balances had kinds carries none and was about the general one."""

    unit_id: str
    balance: str
    threshold: str
    balance_kind: str = "general"
