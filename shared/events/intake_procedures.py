"""Events of intake's front desk: procedures (手续), access and parking cards, keys, lost property.

Billing learns fees from `intake.procedure.fee_requested` (one line per fee, amounts as decimal
strings in yuan with two places, each line with a stable `line_id` to bill it once), deposit
refunds from `intake.procedure.deposit_settled`, and when a unit starts to be billed from the
`billing_starts_on` of a completed move-in.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from shared.events.registry import Payload, event

__all__ = [
    "ProcedureOpened", "ProcedureApproved", "ProcedureRejected", "ProcedureCancelled", "ProcedureFeeRequested",
    "ProcedureDepositSettled", "ProcedureCompleted",
    "ProcedureWorksFlagged", "CardIssued", "CardLost", "CardCancelled", "KeyLent", "KeyReturned",
    "LostItemRegistered", "LostItemClaimed", "LostItemDisposed",
]


class ProcedureFacts(Payload):
    procedure_id: str
    number: str
    kind: str
    unit_id: str
    resident_id: str | None = None
    status: str
    by: str


@event("intake.procedure.opened")
class ProcedureOpened(ProcedureFacts):
    """A procedure case (move-in, decoration, move-out, transfer, tenancy, utilities) was opened."""

    opened_at: datetime


@event("intake.procedure.approved")
class ProcedureApproved(ProcedureFacts):
    """The case passed its review (engineering for decoration, a supervisor otherwise)."""

    approved_at: datetime
    note: str | None = None


@event("intake.procedure.rejected")
class ProcedureRejected(ProcedureFacts):
    """The review refused the case, with its reasons."""

    rejected_at: datetime
    reasons: list[str]


@event("intake.procedure.cancelled")
class ProcedureCancelled(ProcedureFacts):
    """The case was withdrawn."""

    cancelled_at: datetime
    reason: str


class ProcedureFeeLine(BaseModel):
    line_id: str  # `<procedure id>:<item>`: the same line requested twice is billed once
    item: Literal["decoration_deposit", "decoration_service_fee"]
    amount: str  # yuan, two decimal places, e.g. "2000.00"
    currency: Literal["CNY"] = "CNY"
    refundable: bool


@event("intake.procedure.fee_requested")
class ProcedureFeeRequested(ProcedureFacts):
    """Fees the procedure owes (the decoration deposit and service fee), for billing to bill."""

    lines: list[ProcedureFeeLine]


class HandoverMeterReading(BaseModel):
    meter: Literal["water", "electricity", "gas"]
    meter_number: str | None = None
    reading: str  # decimal string, e.g. "1234.5"


class DepositWithholding(BaseModel):
    amount: str
    reason: str


@event("intake.procedure.deposit_settled")
class ProcedureDepositSettled(ProcedureFacts):
    """A decoration deposit is refunded, in full or less what was withheld (with the reasons)."""

    line_id: str  # the fee line of the deposit
    deposit: str
    withheld: str
    refund: str
    withholdings: list[DepositWithholding]
    settled_at: datetime


@event("intake.procedure.works_flagged")
class ProcedureWorksFlagged(ProcedureFacts):
    """Decoration works were seen outside their approved dates or hours (the supervisor should know)."""

    at: datetime
    local_time: str
    reason: Literal["before_start_date", "after_end_date", "outside_allowed_hours"]
    source: Literal["inspection", "works_report"]


@event("intake.procedure.completed")
class ProcedureCompleted(ProcedureFacts):
    """The case is done. A move-in makes its resident active and starts billing on `billing_starts_on`."""

    completed_at: datetime
    billing_starts_on: date | None = None
    resident_active_from: date | None = None
    meter_readings: list[HandoverMeterReading] = []
    keys_counted: int | None = None
    details: dict = {}


@event("intake.card.issued")
class CardIssued(Payload):
    """An access or parking card was issued for a unit."""

    card_id: str
    kind: Literal["access", "parking"]
    number: str
    unit_id: str
    resident_id: str | None = None
    procedure_id: str | None = None


@event("intake.card.lost")
class CardLost(CardIssued):
    """A card was reported lost; the gate systems should refuse it."""


@event("intake.card.cancelled")
class CardCancelled(CardIssued):
    """A card was cancelled (returned, or replaced)."""


@event("intake.key.lent")
class KeyLent(Payload):
    """A key of the service centre's register went out on loan."""

    key_id: str
    loan_id: str
    label: str
    key_kind: str
    unit_id: str | None = None
    borrower: str
    purpose: str
    witnessed_by: str
    lent_at: datetime
    due_back_at: datetime | None = None


@event("intake.key.returned")
class KeyReturned(Payload):
    """A lent key came back."""

    key_id: str
    loan_id: str
    label: str
    returned_by: str
    witnessed_by: str
    lent_at: datetime
    returned_at: datetime


@event("intake.lost_item.registered")
class LostItemRegistered(Payload):
    """Lost property found on the estate was registered at the service centre."""

    item_id: str
    description: str
    found_where: str
    found_at: datetime
    keep_until: datetime


@event("intake.lost_item.claimed")
class LostItemClaimed(Payload):
    """Its owner claimed the item, identity checked (the document number is kept masked)."""

    item_id: str
    claimed_at: datetime
    id_document_type: str


@event("intake.lost_item.disposed")
class LostItemDisposed(Payload):
    """Unclaimed after the estate's keeping time, the item was disposed of."""

    item_id: str
    disposed_at: datetime
    method: str
