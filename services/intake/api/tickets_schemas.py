"""Response models of tickets' life cycle, estate ticket settings and follow-ups."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class TicketSettingsPublic(BaseModel):
    estate_id: str
    subcategories: dict[str, list[str]]
    fields: list[dict[str, Any]]
    priority_rules: list[dict[str, Any]]
    follow_up_within_hours: int
    effective_subcategories: dict[str, list[str]] = Field(description="The defaults and the estate's own")
    default_priority_rules: list[dict[str, Any]]


class FollowUpPublic(BaseModel):
    id: str
    estate_id: str
    ticket_id: str
    ticket_number: str
    category: str
    unit_id: str | None = None
    state: Literal["due", "completed", "unreachable", "withdrawn"]
    result: str | None = None
    due_by: datetime
    overdue: bool = Field(default=False, description="Still due after its due time")
    created_at: datetime
    attempts: list[dict[str, Any]] = []
