"""Response models of estates, contacts and tickets, named by purpose."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class EstatePublic(BaseModel):
    estate_id: str
    name: str
    time_zone: str
    registered_at: datetime
    address: str | None = None
    hotline_number: str | None = None
    business_hours: dict | None = None


class TicketPublic(BaseModel):
    id: str
    estate_id: str
    number: str
    category: str
    subcategory: str | None
    priority: str
    proposed_priority: str
    scope: str
    location: str | None
    building_id: str | None = None
    unit_id: str | None
    resident_id: str | None = None
    description: str
    channel: str
    status: str
    promised_reply_at: datetime
    opened_at: datetime
    work_order_id: str | None = Field(default=None, description=(
        "Its work order, once dispatch has made it: filled asynchronously from dispatch's event, so the "
        "contact's answer has null here; read the ticket again (GET /v1/tickets/{id}) to follow it"))
    work_order_number: str | None = None
    work_order_path: str | None = Field(default=None, description="The work order on dispatch's API")
    incident_id: str | None = None
    contact_id: str
    fields: dict[str, Any] = {}
    major: bool = False
    first_contact_resolution: bool = False
    resolution: str | None = None
    resolved_at: datetime | None = None
    reopen_count: int = 0
    complaint: dict[str, Any] | None = Field(default=None, description="The complaint record: plan and feedback")
    follow_up: dict[str, Any] | None = None
    version: int = 1
    history: list[dict[str, Any]] = []


class ContactPublic(BaseModel):
    id: str
    estate_id: str
    channel: str
    summary: str
    outcome: Literal["answered", "ticket_opened"]
    answered_within_15s: bool | None
    logged_at: datetime
    ticket: TicketPublic | None = None
    resident_id: str | None = None  # the caller, when recognised by phone or linked later
    unit_id: str | None = None
    caller_phone: str | None = None
    caller_name: str | None = None
    rang_at: datetime | None = None
    answered_at: datetime | None = None
    agent_id: str | None = None
    agent_name: str | None = None
    ticket_id: str | None = None
    ticket_number: str | None = None
