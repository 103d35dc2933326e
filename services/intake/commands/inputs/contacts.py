"""The inputs of intake's contact and estate commands (request bodies of its API), named by purpose."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, Field, field_validator

from services.intake.commands.inputs.directory import BusinessHours, PhoneNumber
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
