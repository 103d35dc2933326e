"""Intake's request and response models, named by purpose."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from services.intake.api.directory_schemas import BusinessHours, PhoneNumber
from services.intake.domain.tickets import Category, Priority
from shared.schemas import Strict, estate_id_field

Channel = Literal["hotline", "walk_in", "app", "wechat", "email", "patrol"]
# An estate's extra ticket field: text, a number, a choice or a date (as text); checked against its definition.
FieldValue = Annotated[str, Field(max_length=500)] | int | float
ExtraFieldValues = Annotated[dict[Annotated[str, Field(min_length=1, max_length=40)], FieldValue], Field(max_length=30)]


class EstateCreate(Strict):
    estate_id: str = estate_id_field()
    name: str = Field(min_length=1, max_length=100)
    time_zone: str = Field(default="Asia/Shanghai", max_length=60)
    address: str | None = Field(default=None, max_length=200)
    hotline_number: PhoneNumber | None = None
    business_hours: BusinessHours | None = Field(default=None, description="The service centre's opening hours")

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Shanghai") from error
        return value


class EstatePublic(BaseModel):
    estate_id: str
    name: str
    time_zone: str
    registered_at: datetime
    address: str | None = None
    hotline_number: str | None = None
    business_hours: dict | None = None


class TicketRequest(Strict):
    category: Category
    subcategory: str | None = Field(default=None, max_length=60, description="One of the estate's subcategories")
    scope: Literal["in_unit", "public_area"]
    location: str | None = Field(default=None, max_length=200)
    building_id: str | None = Field(default=None, max_length=60)
    description: str = Field(min_length=1, max_length=2000)
    priority: Priority | None = Field(default=None, description="Overrides the priority proposed from the text")
    promised_reply_at: AwareDatetime | None = None
    fields: ExtraFieldValues = Field(default_factory=dict, description="The estate's extra ticket fields")
    major: bool = Field(default=False, description="The agent flags a complaint as major")
    resolution: str | None = Field(
        default=None, min_length=1, max_length=2000,
        description="Answered on the call: the ticket is opened and resolved at once (first-contact resolution)",
    )
    incident_id: str | None = Field(default=None, max_length=40, description="Open it as part of this incident")


class ContactCreate(Strict):
    estate_id: str = estate_id_field()
    channel: Channel
    caller_phone: PhoneNumber | None = None
    caller_name: str | None = Field(default=None, max_length=60)
    unit_id: str | None = Field(default=None, max_length=60)
    resident_id: str | None = Field(default=None, max_length=60)
    rang_at: AwareDatetime | None = None
    answered_at: AwareDatetime | None = None
    summary: str = Field(min_length=1, max_length=2000)
    ticket: TicketRequest | None = Field(default=None, description="Open a ticket for this contact")


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
