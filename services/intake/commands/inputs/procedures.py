"""The inputs of intake's procedures commands (request bodies of its API), named by purpose."""

from __future__ import annotations

from datetime import date, time
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from services.intake.domain.procedures import DEFAULT_WORK_HOURS, Kind
from shared.schemas import Strict, estate_id_field

DIRECTORY_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,59}$"


Money = Field(pattern=r"^\d{1,9}(\.\d{1,2})?$", description='Yuan as a decimal string, e.g. "2000.00"')


MeterValue = Field(pattern=r"^\d{1,9}(\.\d{1,3})?$", description='The meter\'s figure, e.g. "1234.5"')


Text = Field(min_length=1, max_length=500)


def unit_id_field():
    return Field(pattern=DIRECTORY_ID, description="The unit's id in the directory")


class Contractor(Strict):
    name: str = Field(min_length=1, max_length=100)
    licence_number: str | None = Field(default=None, max_length=60)
    person_in_charge: str = Field(min_length=1, max_length=60)
    phone: str = Field(pattern=r"^\+?[0-9 -]{3,20}$")


class Worker(Strict):
    name: str = Field(min_length=1, max_length=60)
    trade: str | None = Field(default=None, max_length=40)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 -]{3,20}$")


class WorkHours(Strict):
    start: time
    end: time

    @model_validator(mode="after")
    def _opens_before_it_closes(self) -> WorkHours:
        if self.start >= self.end:
            raise ValueError("allowed hours must start before they end")
        return self


class DecorationApplication(Strict):
    contractor: Contractor
    workers: list[Worker] = Field(min_length=1, max_length=100)
    plan: str = Field(min_length=1, max_length=4000, description="What will be done (拆改、水电、泥瓦…)")
    start_date: date
    end_date: date
    allowed_hours: list[WorkHours] = Field(
        default_factory=lambda: [WorkHours(start=s, end=e) for s, e in DEFAULT_WORK_HOURS], min_length=1, max_length=4,
        description="Local hours in which works are allowed (default 08:00–12:00 and 14:00–18:00)",
    )

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> DecorationApplication:
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class TransferDetails(Strict):
    buyer_name: str = Field(min_length=1, max_length=60)
    buyer_resident_id: str | None = Field(default=None, pattern=DIRECTORY_ID)
    property_certificate_number: str | None = Field(default=None, max_length=60)


class TenancyDetails(Strict):
    tenant_name: str = Field(min_length=1, max_length=60)
    tenant_phone: str | None = Field(default=None, pattern=r"^\+?[0-9 -]{3,20}$")
    lease_start: date
    lease_end: date

    @model_validator(mode="after")
    def _lease_ends_after_it_starts(self) -> TenancyDetails:
        if self.lease_end <= self.lease_start:
            raise ValueError("lease_end is not after lease_start")
        return self


class UtilityDetails(Strict):
    utilities: list[Literal["water", "electricity", "gas"]] = Field(min_length=1, max_length=3)
    new_account_holder: str = Field(min_length=1, max_length=60)


class ProcedureCreate(Strict):
    estate_id: str = estate_id_field()
    kind: Kind
    unit_id: str = unit_id_field()
    resident_id: str | None = Field(default=None, pattern=DIRECTORY_ID, description="Needed for a move-in")
    applicant_name: str | None = Field(default=None, max_length=60)
    note: str | None = Field(default=None, max_length=2000)
    decoration: DecorationApplication | None = Field(default=None, description="Only, and always, for decoration")
    transfer: TransferDetails | None = Field(default=None, description="Only, and always, for ownership_transfer")
    tenancy: TenancyDetails | None = Field(default=None, description="Only, and always, for tenant_registration")
    utilities: UtilityDetails | None = Field(default=None, description="Only, and always, for utility_transfer")


class NoteRequest(Strict):
    note: str | None = Field(default=None, max_length=2000)


class ReasonRequest(Strict):
    reason: str = Text


class DecorationFees(Strict):
    deposit: str = Money
    service_fee: str = Money


class ApprovalRequest(Strict):
    note: str | None = Field(default=None, max_length=2000)
    fees: DecorationFees | None = Field(default=None, description="Decoration: the deposit and service fee to bill")


class RejectionRequest(Strict):
    reasons: list[str] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _reasons_said(self) -> RejectionRequest:
        if any(not reason.strip() or len(reason) > 500 for reason in self.reasons):
            raise ValueError("each reason is 1–500 characters")
        return self


class ChecklistTick(Strict):
    item: str = Field(min_length=1, max_length=60)
    done: bool = True
    note: str | None = Field(default=None, max_length=500)


class DocumentNoted(Strict):
    name: str = Field(min_length=1, max_length=200, description="e.g. 身份证复印件, 装修承诺书")
    reference: str | None = Field(default=None, max_length=200, description="File or archive reference")
    note: str | None = Field(default=None, max_length=500)


class KeysCounted(Strict):
    count: int = Field(ge=1, le=100)
    note: str | None = Field(default=None, max_length=500)


class MeterReadingIn(Strict):
    meter: Literal["water", "electricity", "gas"]
    meter_number: str | None = Field(default=None, max_length=40)
    reading: str = MeterValue


class MeterReadingsTaken(Strict):
    readings: list[MeterReadingIn] = Field(min_length=1, max_length=10)


class CardIn(Strict):
    kind: Literal["access", "parking"]
    number: str = Field(pattern=r"^[A-Za-z0-9-]{1,40}$")


class CardsIssued(Strict):
    cards: list[CardIn] = Field(min_length=1, max_length=20)


class PassesIssued(Strict):
    workers: list[str] = Field(min_length=1, max_length=100, description="Names from the application's workers")
    valid_from: date
    valid_until: date


class FindingIn(Strict):
    description: str = Field(min_length=1, max_length=1000)
    open_ticket: bool = False
    ticket_category: Literal["repair", "complaint", "help"] = "complaint"


class InspectionRecorded(Strict):
    at: AwareDatetime | None = Field(default=None, description="When it was seen; now by default")
    works_observed: bool = True
    findings: list[FindingIn] = Field(default_factory=list, max_length=20)
    note: str | None = Field(default=None, max_length=1000)


class WorksReported(Strict):
    at: AwareDatetime
    description: str = Field(min_length=1, max_length=1000)
    reported_by: str | None = Field(default=None, max_length=60)


class AcceptanceRecorded(Strict):
    passed: bool
    findings: str | None = Field(default=None, max_length=2000)


class WithholdingIn(Strict):
    amount: str = Money
    reason: str = Text


class DepositSettlementRequest(Strict):
    withheld: list[WithholdingIn] = Field(default_factory=list, max_length=20)


class CompletionRequest(Strict):
    note: str | None = Field(default=None, max_length=2000)
    billing_starts_on: date | None = Field(default=None, description="Move-in: defaults to the local day of hand-over")


class CardCreate(Strict):
    estate_id: str = estate_id_field()
    unit_id: str = unit_id_field()
    resident_id: str | None = Field(default=None, pattern=DIRECTORY_ID)
    kind: Literal["access", "parking"]
    number: str = Field(pattern=r"^[A-Za-z0-9-]{1,40}$")
