"""The inputs of dispatch's rosters commands (request bodies of its API), named by purpose."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from services.dispatch.commands.inputs.work_orders import Department
from services.dispatch.domain.rosters import clock_minutes
from shared.schemas import Strict

Code = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,20}$")]


StaffId = Annotated[str, Field(min_length=1, max_length=40)]


# This century: the calendar of holidays and the date arithmetic of rosters need a real year.
Month = Annotated[str, Field(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$", examples=["2026-12"])]


ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-4]):[0-5]\d$", examples=["08:00", "24:00"])]


class ShiftTemplateIn(Strict):
    code: Code
    name: str = Field(min_length=1, max_length=20)
    starts: ClockTime
    ends: ClockTime = Field(description="At or before `starts` means the next day; 24:00 is midnight")
    minimum: int = Field(default=1, ge=0, le=50, description="Staff a roster must put on it")
    maximum: int | None = Field(default=None, ge=0, le=50, description="Defaults to the minimum")
    night: bool | None = Field(default=None, description="Defaults to: the shift covers time between 00:00 and 05:00")

    @field_validator("starts")
    @classmethod
    def _starts_within_day(cls, value: str) -> str:
        if clock_minutes(value) >= 24 * 60:
            raise ValueError("a shift starts before 24:00")
        return value

    @model_validator(mode="after")
    def _not_empty(self):
        if clock_minutes(self.starts) == clock_minutes(self.ends) % (24 * 60):
            raise ValueError("a shift must not start when it ends")
        if self.maximum is not None and self.maximum < self.minimum:
            raise ValueError("maximum must not be below minimum")
        return self


class ShiftTemplates(Strict):
    templates: list[ShiftTemplateIn] = Field(min_length=1, max_length=12)

    @field_validator("templates")
    @classmethod
    def _unique_codes(cls, value: list[ShiftTemplateIn]) -> list[ShiftTemplateIn]:
        codes = [t.code for t in value]
        if len(set(codes)) != len(codes):
            raise ValueError("each shift code once")
        return value


class RulesIn(Strict):
    min_rest_hours: float = Field(default=12, ge=0, le=48)
    max_consecutive_nights: int = Field(default=3, ge=1, le=31)
    weekly_hours_limit: float = Field(default=40, gt=0, le=84)
    max_overtime_hours_per_month: float = Field(default=36, ge=0, le=120)


class PinnedCell(Strict):
    day: date
    shift: Code
    staff_id: StaffId


class RosterGenerate(Strict):
    department: Department
    month: Month
    staff_ids: list[StaffId] | None = Field(default=None, min_length=1, max_length=60,
                                            description="Defaults to the department's staff (position `staff`)")
    shifts: list[Code] | None = Field(default=None, min_length=1, max_length=12,
                                      description="Templates to cover; defaults to those with a minimum above 0")
    rules: RulesIn = Field(default_factory=RulesIn)
    fixed: list[PinnedCell] = Field(default_factory=list, max_length=500, description="Cells pinned by hand")
    time_limit_s: float = Field(default=10, ge=1, le=30)


class CellEdit(Strict):
    day: date
    shift: Code
    staff_ids: list[StaffId] = Field(max_length=50)


class RosterChangeCreate(Strict):
    """One change to a published roster, or leave, waiting for a supervisor's approval.

    - `swap` (调班): `staff_id` gives (`day`, `shift`) to `with_staff_id` and takes their
      (`with_day`, `with_shift`).
    - `leave` (请假): `staff_id` is away `day` … `to_day`; `substitute_id` may take the shifts.
    - `cover` (代班): `substitute_id` works `staff_id`'s (`day`, `shift`).
    - `overtime` (加班): `staff_id` works (`day`, `shift`) on top of the roster.
    """

    kind: Literal["swap", "leave", "cover", "overtime"]
    department: Department
    staff_id: StaffId
    day: date
    shift: Code | None = None
    to_day: date | None = None
    with_staff_id: StaffId | None = None
    with_day: date | None = None
    with_shift: Code | None = None
    substitute_id: StaffId | None = None
    reason: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _fields_of_kind(self):
        needed = {"swap": ("shift", "with_staff_id", "with_day", "with_shift"), "leave": ("to_day",),
                  "cover": ("shift", "substitute_id"), "overtime": ("shift",)}[self.kind]
        for name in needed:
            if getattr(self, name) is None:
                raise ValueError(f"a {self.kind} needs {name}")
        if self.kind == "leave" and self.to_day < self.day:
            raise ValueError("to_day must not be before day")
        if self.kind == "leave" and (self.to_day - self.day).days > 62:
            raise ValueError("leave of more than 62 days is asked for in parts")
        return self


class RefuseRequest(Strict):
    reason: str = Field(min_length=1, max_length=500)


class ClockRequest(Strict):
    staff_id: StaffId | None = Field(default=None, description="A supervisor's correction (补卡) for someone else")
    at: datetime | None = Field(default=None, description="A supervisor's correction: when it happened")


class AttendanceSettings(Strict):
    late_minutes: int = Field(default=5, ge=0, le=120, description="Tolerance before a clock-in is late")
    early_leave_minutes: int = Field(default=5, ge=0, le=120, description="Tolerance before a clock-out is early")
