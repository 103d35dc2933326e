"""Response models of the duty desk: handovers, duty posts, spot checks, emergency contacts, the duty screen."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class DutyPostsPublic(BaseModel):
    estate_id: str
    posts: list[dict[str, Any]]
    grace_s: int | None = None
    watched_since: datetime | None = None


class CarriedWorkOrder(BaseModel):
    id: str
    number: str
    status: str
    department: str
    priority: str
    description: str
    assignee_name: str | None = None
    ticket_id: str | None = None
    ticket_number: str | None = None
    incident_id: str | None = None


class UnreturnedKey(BaseModel):
    key_id: str | None = None
    loan_id: str
    label: str | None = None
    key_kind: str | None = None
    unit_id: str | None = None
    borrower: str | None = None
    purpose: str | None = None
    lent_at: datetime | None = None
    due_back_at: datetime | None = None


class HandoverPublic(BaseModel):
    id: str
    estate_id: str
    post: str
    department: str
    shift_date: date
    shift_code: str
    shift_start: datetime
    shift_end: datetime
    outgoing_id: str
    outgoing_name: str
    filed_at: datetime
    open_work_orders: list[CarriedWorkOrder]
    open_tickets: list[str]
    incidents: list[CarriedWorkOrder]
    open_emergencies: list[CarriedWorkOrder] = Field(default=[], description=(
        "The estate's open emergencies (P1, safety), whatever their department, besides the post's own items"))
    unreturned_keys: list[UnreturnedKey] = []
    checklist: list[dict[str, Any]]
    checklist_findings: list[str]
    inspection: dict[str, Any]
    inspection_issues: list[str]
    notes: str
    acknowledged_at: datetime | None = None
    incoming_id: str | None = None
    incoming_name: str | None = None
    discrepancies: list[str] = []
    acknowledge_notes: str = ""
    text: str = Field(default="", description="The handover as people read it, in the estate's local time")


class SpotCheckPublic(BaseModel):
    id: str
    estate_id: str
    post: str
    checked_at: datetime
    checked_by: str
    checked_by_name: str | None = None
    person_on_duty: str
    findings: list[str]
    result: str
    ledger_entry_id: str


class EmergencyContactsPublic(BaseModel):
    estate_id: str
    contacts: list[dict[str, Any]]


class DailyFigures(BaseModel):
    """Work orders created and completed that local day, and SLA deadlines missed (one per milestone)."""

    day: date
    created: int = 0
    completed: int = 0
    breached: int = 0


class DutyScreen(BaseModel):
    estate_id: str
    department: str | None
    post: str | None
    previous_handover: HandoverPublic | None
    still_open: list[CarriedWorkOrder]
    yesterday: DailyFigures
    today: DailyFigures
    emergency_contacts: list[dict[str, Any]]


