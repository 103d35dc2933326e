"""Request and response models of incidents, named by purpose."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

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


class Broadcast(BaseModel):
    audience: str
    building_id: str | None = None
    message: str
    status: str
    requested_at: datetime


class IncidentPublic(BaseModel):
    id: str
    estate_id: str
    number: str
    category: str
    subcategory: str | None
    priority: str
    location: str | None
    building_id: str | None
    description: str
    status: str
    declared_at: datetime
    declared_by: str
    ticket_ids: list[str]
    work_order_id: str | None = None
    work_order_number: str | None = None
    broadcast: Broadcast
    resolved_at: datetime | None = None
    resolution: str | None = None
    history: list[dict[str, Any]]


class IncidentMatches(BaseModel):
    """Open incidents a ticket (or a call about to become one) may join, most recent first."""

    ticket_id: str | None = None
    items: list[IncidentPublic]
