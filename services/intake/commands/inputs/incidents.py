"""The inputs of intake's incidents commands (request bodies of its API), named by purpose."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from services.intake.domain.tickets import Category, Priority
from shared.schemas import Strict, estate_id_field

TicketId = Field(min_length=1, max_length=40)


TicketIdItem = Annotated[str, Field(min_length=1, max_length=40)]


class IncidentCreate(Strict):
    estate_id: str = estate_id_field()
    category: Category
    subcategory: str | None = Field(default=None, max_length=60)
    priority: Priority
    location: str | None = Field(default=None, max_length=200)
    building_id: str | None = Field(default=None, max_length=60)
    description: str = Field(min_length=1, max_length=2000)
    ticket_ids: list[TicketIdItem] = Field(default_factory=list, max_length=200, description="Tickets grouped at once")
    broadcast_message: str | None = Field(
        default=None, max_length=500, description="The one notice to the affected residents; a default is written"
    )


class TicketLink(Strict):
    ticket_id: str = TicketId


class IncidentStatusChange(Strict):
    status: Literal["investigating", "resolved"]
    note: str | None = Field(default=None, max_length=1000)
