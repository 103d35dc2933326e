"""Response models of procedures (手续) and the card register, named by purpose.

Units and residents are referred to by their directory ids; only their shape is checked here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel


class ProcedurePublic(BaseModel):
    id: str
    estate_id: str
    number: str
    kind: str
    status: str
    unit_id: str
    resident_id: str | None
    applicant_name: str | None = None
    note: str | None = None
    details: dict = {}
    checklist: list[dict]
    documents: list[dict] = []
    approval: dict | None = None
    rejection: dict | None = None
    keys_counted: int | None = None
    meter_readings: list[dict] = []
    cards: list[dict] = []
    fees: dict | None = None
    passes: list[dict] = []
    inspections: list[dict] = []
    works_reports: list[dict] = []
    flags: list[dict] = []
    flagged: bool = False
    acceptances: list[dict] = []
    deposit_settlement: dict | None = None
    billing_starts_on: date | None = None
    opened_at: datetime
    opened_by: str
    completed_at: datetime | None = None
    history: list[dict]
    version: int


class CardPublic(BaseModel):
    id: str
    estate_id: str
    unit_id: str
    resident_id: str | None
    kind: str
    number: str
    status: Literal["active", "lost", "cancelled"]
    procedure_id: str | None = None
    issued_at: datetime
    history: list[dict]
