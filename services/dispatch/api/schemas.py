"""Dispatch's request and response models, named by purpose."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Department = Literal["customer_service", "engineering", "security", "cleaning", "greening"]


class StaffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    estate_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,39}$")
    staff_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,40}$", description="Defaults to a new id")
    name: str = Field(min_length=1, max_length=60)
    department: Department
    skills: list[str] = Field(default_factory=list, max_length=20)
    on_duty: bool = False


class DutyUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on_duty: bool


class StaffPublic(BaseModel):
    id: str
    estate_id: str
    name: str
    department: str
    skills: list[str]
    on_duty: bool
    open_orders: int


class WorkOrderPublic(BaseModel):
    id: str
    estate_id: str
    number: str
    ticket_id: str | None
    ticket_number: str | None
    kind: str
    department: str
    priority: str
    status: str
    assignee_id: str | None
    assignee_name: str | None
    location: str | None
    description: str
    created_at: datetime
    version: int
