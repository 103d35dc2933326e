"""Response models of duty rosters, roster changes, on-duty and attendance."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from services.dispatch.commands.inputs.rosters import (
    AttendanceSettings,
    RulesIn,
)


class ShiftTemplatePublic(BaseModel):
    code: str
    name: str
    starts: str
    ends: str
    minimum: int
    maximum: int | None = None
    night: bool
    hours: float
    crosses_midnight: bool


class ShiftTemplatesPublic(BaseModel):
    estate_id: str
    department: str
    templates: list[ShiftTemplatePublic]
    defaults: bool


class RosterCell(BaseModel):
    day: date
    shift: str
    staff_ids: list[str]
    overtime_ids: list[str] = []


class RosterPublic(BaseModel):
    id: str
    estate_id: str
    department: str
    month: str
    status: Literal["draft", "published"]
    version: int
    staff_ids: list[str]
    templates: list[ShiftTemplatePublic]
    rules: RulesIn
    cells: list[RosterCell]
    totals: dict[str, dict[str, float]]
    solver: dict
    generated_at: datetime
    generated_by: str
    published_at: datetime | None = None
    published_by: str | None = None


class RosterChangePublic(BaseModel):
    id: str
    estate_id: str
    kind: str
    department: str
    staff_id: str
    day: date
    shift: str | None = None
    to_day: date | None = None
    with_staff_id: str | None = None
    with_day: date | None = None
    with_shift: str | None = None
    substitute_id: str | None = None
    reason: str
    status: Literal["requested", "approved", "refused"]
    requested_by: str
    requested_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None


class DutyShift(BaseModel):
    roster_id: str
    day: str
    shift: str
    name: str
    starts_at: datetime
    ends_at: datetime
    overtime: bool = False


class OnDutyStaff(BaseModel):
    id: str
    name: str
    department: str
    position: str = "staff"
    on_call: bool = False
    duty_shift: DutyShift | None = None


class OnDutyPublic(BaseModel):
    estate_id: str
    at: datetime
    staff: list[OnDutyStaff]
    on_call: list[OnDutyStaff]
    chief_duty_officer: OnDutyStaff | None = Field(description="总值班员: the senior customer-service person on duty")
    duty_leader: OnDutyStaff | None = Field(description="公司值班领导 on duty")


class PunchPublic(BaseModel):
    id: str
    staff_id: str
    kind: Literal["in", "out"]
    at: datetime
    recorded_by: str
    shift: dict | None = None
    late_minutes: int = 0
    early_leave_minutes: int = 0


class AttendanceSettingsPublic(AttendanceSettings):
    estate_id: str
