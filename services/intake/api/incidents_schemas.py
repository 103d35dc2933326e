"""Response models of incidents, named by purpose."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


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
