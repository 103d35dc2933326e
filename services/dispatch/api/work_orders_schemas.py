"""Response models of work orders, named by purpose."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class EscalationStep(BaseModel):
    level: int
    position: str
    at: datetime
    recipient_id: str | None
    recipient_name: str | None = None
    reached_via: str | None = Field(default=None, description="on_duty, roster, on_call or phone")


class WorkOrderPublic(BaseModel):
    id: str
    estate_id: str
    number: str
    ticket_id: str | None
    ticket_number: str | None
    incident_id: str | None = None
    kind: str
    skill: str | None = None
    queue: str | None = None
    major: bool = False
    complaint_plan: dict | None = None
    department: str
    priority: str
    status: str
    assignee_id: str | None
    assignee_name: str | None
    offered_to: list[str] = []
    location: str | None
    description: str
    created_at: datetime
    deadlines: dict[str, datetime] = {}
    deadlines_approximate: bool = False
    clock: str = Field(default="full", description="The clock its deadlines count: full or business_hours")
    emergency: bool = Field(default=False, description="P1 or a safety subcategory of the estate")
    subcategory: str | None = None
    sla_state: str = "ok"
    routed_from: str | None = Field(default=None, description="The department it was routed to, which had nobody")
    fallback_reason: str | None = None
    escalations: list[EscalationStep] = []
    completion: dict | None = None
    version: int


