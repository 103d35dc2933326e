"""Response models of the company's positions and their roster (公司值班领导表)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class CompanyRosterEntryPublic(BaseModel):
    staff_id: str
    name: str
    phone: str | None = None
    starts_at: datetime
    ends_at: datetime


class PositionHolder(BaseModel):
    id: str
    name: str
    phone: str | None = None
    reached_via: str = Field(description="roster, on_duty, on_call or phone")


class CompanyRosterPublic(BaseModel):
    company_id: str
    position: str
    entries: list[CompanyRosterEntryPublic]
    now: PositionHolder | None = Field(description="Whom the ladder reaches now, and how")
