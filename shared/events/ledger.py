"""Events of dispatch's duty desk: shift handovers and the duty ledger's published head."""

from __future__ import annotations

from datetime import date, datetime

from shared.events.registry import Payload, event


@event("dispatch.shift.handover_filed")
class HandoverFiled(Payload):
    """The outgoing person filed the handover of a shift (交接班)."""

    handover_id: str
    post: str
    department: str
    shift_date: date
    shift_code: str
    outgoing_id: str
    open_work_orders: int
    open_tickets: list[str] = []
    incidents: int = 0
    unreturned_keys: int = 0
    checklist_findings: list[str] = []
    inspection_issues: list[str] = []


@event("dispatch.shift.handover_acknowledged")
class HandoverAcknowledged(Payload):
    """The incoming person took over the shift, noting any discrepancy."""

    handover_id: str
    post: str
    shift_date: date
    shift_code: str
    outgoing_id: str
    incoming_id: str
    discrepancies: list[str] = []


class OutgoingStaff(Payload):
    staff_id: str
    name: str | None = None


@event("dispatch.shift.handover_due")
class HandoverDue(Payload):
    """A watched shift ended with no handover filed: the staff on it must file one before `due_at` (its end
    plus the grace period), after which it is missing. `outgoing` is empty when nobody was found on duty."""

    post: str
    department: str
    shift_date: date
    shift_code: str
    ends_at: datetime
    due_at: datetime
    outgoing: list[OutgoingStaff] = []


@event("dispatch.shift.handover_missing")
class HandoverMissing(Payload):
    """A watched shift ended, and its grace period passed, with no handover: the supervisor is told."""

    post: str
    department: str
    shift_date: date
    shift_code: str
    ended_at: datetime
    supervisor_id: str | None = None
    supervisor_name: str | None = None


@event("dispatch.ledger.head_published")
class LedgerHeadPublished(Payload):
    """The duty ledger's chain head of an estate, published so that a rewritten chain shows from outside."""

    sequence: int
    hash: str
    published_at: datetime
