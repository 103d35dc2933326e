"""The inputs of dispatch's handover, duty post, spot check and emergency contact commands."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from services.dispatch.commands.inputs.work_orders import Department
from services.dispatch.domain.handover import seconds_of_day
from shared import clock
from shared.schemas import Strict, estate_id_field

POST_PATTERN = r"^[a-z0-9][a-z0-9_-]{1,39}$"


CLOCK_PATTERN = r"^\d{2}:\d{2}(:\d{2})?$"


ShiftCode = Field(pattern=r"^[a-z0-9_]{1,20}$", description="A shift template's code: early 早班, middle 中班, "
                                                               "night 夜班, day 白班 by default")


Text = Field(default="", max_length=2000)


def _check_clock(value: str | None) -> str | None:
    if value is not None:
        seconds_of_day(value)  # ValueError → 422 naming the field
    return value


class ShiftTimes(Strict):
    """A shift: its code, and its times unless the department's shift templates (rosters) know the code."""

    code: str = ShiftCode
    start: str | None = Field(default=None, pattern=CLOCK_PATTERN, description='Local "HH:MM" or "HH:MM:SS"')
    end: str | None = Field(default=None, pattern=CLOCK_PATTERN, description='"24:00" is the midnight ending the day')

    _clock = field_validator("start", "end")(_check_clock)

    @model_validator(mode="after")
    def _both_or_neither(self) -> "ShiftTimes":
        if (self.start is None) != (self.end is None):
            raise ValueError("give both start and end, or neither")
        if self.start is not None and seconds_of_day(self.start) >= 24 * 3600:
            raise ValueError("a shift cannot start at 24:00")
        return self


class DutyPost(Strict):
    post: str = Field(pattern=POST_PATTERN, description="The post's id, e.g. cs-front-desk")
    name: str = Field(min_length=1, max_length=60)
    department: Department
    shifts: list[ShiftTimes] = Field(min_length=1, max_length=6)


class DutyPostsUpdate(Strict):
    posts: list[DutyPost] = Field(max_length=30)
    grace_s: int | None = Field(default=None, ge=0, le=86400, description="Defaults to the service's setting")

    @model_validator(mode="after")
    def _posts_unique(self) -> "DutyPostsUpdate":
        names = [p.post for p in self.posts]
        if len(names) != len(set(names)):
            raise ValueError("each post once")
        return self


class ChecklistItem(Strict):
    item: str = Field(min_length=1, max_length=60, description="对讲机, 灭火器, 钥匙…")
    expected: int | None = Field(default=None, ge=0, le=10000)
    counted: int | None = Field(default=None, ge=0, le=10000)
    missing: int = Field(default=0, ge=0, le=10000)
    damaged: int = Field(default=0, ge=0, le=10000)
    note: str = Field(default="", max_length=500)


class InspectionResult(Strict):
    status: Literal["ok", "issue"]
    note: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _issue_needs_note(self) -> "InspectionResult":
        if self.status == "issue" and not self.note:
            raise ValueError("describe the issue in a note")
        return self


class EndOfShiftInspection(Strict):
    """The end-of-shift round of 安防、水电、设施设备、环境."""

    security: InspectionResult
    water: InspectionResult
    power: InspectionResult
    equipment: InspectionResult
    environment: InspectionResult


class HandoverCreate(Strict):
    estate_id: str = estate_id_field()
    post: str = Field(pattern=POST_PATTERN)
    department: Department
    shift_date: date = Field(description="The local date the shift starts on")
    shift: ShiftTimes
    checklist: list[ChecklistItem] = Field(default_factory=list, max_length=50)
    inspection: EndOfShiftInspection
    notes: str = Text

    @field_validator("shift_date")
    @classmethod
    def _plausible(cls, value: date) -> date:
        if not 2000 <= value.year <= 2100:
            raise ValueError("a shift date between 2000 and 2100")
        return value


class HandoverAcknowledge(Strict):
    discrepancies: list[str] = Field(default_factory=list, max_length=30)
    notes: str = Text

    @field_validator("discrepancies")
    @classmethod
    def _short(cls, values: list[str]) -> list[str]:
        values = [v.strip() for v in values]
        if any(not v or len(v) > 500 for v in values):
            raise ValueError("each discrepancy is 1 to 500 characters")
        return values


class SpotCheckCreate(Strict):
    estate_id: str = estate_id_field()
    post: str = Field(pattern=POST_PATTERN)
    checked_at: datetime | None = Field(default=None, description="Defaults to now")
    person_on_duty: str = Field(min_length=1, max_length=60, description="Staff id or name of who was on duty")
    findings: list[str] = Field(default_factory=list, max_length=30)
    result: Literal["satisfactory", "unsatisfactory"]

    @field_validator("checked_at")
    @classmethod
    def _aware_and_past(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return value
        if value.tzinfo is None:
            raise ValueError("give a time zone, e.g. 2026-11-26T09:30:00+08:00")
        if not 2000 <= value.year <= 2100 or value > clock.now() + timedelta(minutes=10):
            raise ValueError("a spot check is recorded when it was made, not in the future")
        return value.astimezone(UTC)

    @field_validator("findings")
    @classmethod
    def _findings(cls, values: list[str]) -> list[str]:
        values = [v.strip() for v in values]
        if any(not v or len(v) > 500 for v in values):
            raise ValueError("each finding is 1 to 500 characters")
        return values


ContactKind = Literal["police", "fire", "hospital", "water", "gas", "power", "other"]


class EmergencyContact(Strict):
    kind: ContactKind
    name: str = Field(min_length=1, max_length=60)
    phone: str = Field(pattern=r"^[0-9+\- ]{3,20}$")
    notes: str = Field(default="", max_length=200)


class EmergencyContactsUpdate(Strict):
    contacts: list[EmergencyContact] = Field(max_length=30)


