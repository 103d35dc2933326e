"""Attendance (考勤): clock-ins and clock-outs held against the rostered shifts.

Each rostered shift of a person takes the first clock-in from `CLOCK_IN_EARLIEST` before its start
until its end, and the last clock-out after that clock-in until `CLOCK_OUT_LATEST` after its end.
Shifts are compared on real times, so a 中班 ending at 24:00 takes a clock-out at 00:03 of the next
day, and a month's last 中班 belongs to that month's sheet however late its clock-out is.
A shift that has ended with no clock-in is an absence (脱岗): unapproved swaps and leave end here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

CLOCK_IN_EARLIEST = timedelta(hours=2)
CLOCK_OUT_LATEST = timedelta(hours=4)


@dataclass(frozen=True)
class Tolerances:
    late_minutes: int = 5
    early_leave_minutes: int = 5


@dataclass(frozen=True)
class RosteredShift:
    staff_id: str
    day: date
    shift: str
    starts_at: datetime
    ends_at: datetime
    night: bool = False
    rest_day: bool = False  # a weekend or public holiday of the estate's calendar
    overtime: bool = False  # an approved extra shift (加班)


@dataclass(frozen=True)
class Punch:
    staff_id: str
    kind: str  # "in" or "out"
    at: datetime


@dataclass(frozen=True)
class ShiftAttendance:
    shift: RosteredShift
    status: str  # upcoming, not_clocked_in, on_duty, worked, absent (脱岗)
    clock_in: datetime | None = None
    clock_out: datetime | None = None
    late_minutes: int = 0
    early_leave_minutes: int = 0
    missing_clock_out: bool = False
    hours: float = 0.0

    @property
    def late(self) -> bool:
        return self.late_minutes > 0

    @property
    def left_early(self) -> bool:
        return self.early_leave_minutes > 0


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def attend(shift: RosteredShift, punches: Iterable[Punch], *, now: datetime, tolerances: Tolerances) -> ShiftAttendance:
    """What one rostered shift came to, as of `now`."""
    mine = sorted((p for p in punches if p.staff_id == shift.staff_id), key=lambda p: p.at)
    clock_in = next((p.at for p in mine if p.kind == "in"
                     and shift.starts_at - CLOCK_IN_EARLIEST <= p.at < shift.ends_at), None)
    if clock_in is None:
        status = "absent" if now >= shift.ends_at else ("not_clocked_in" if now >= shift.starts_at else "upcoming")
        return ShiftAttendance(shift, status)
    outs = [p.at for p in mine if p.kind == "out" and clock_in < p.at <= shift.ends_at + CLOCK_OUT_LATEST]
    clock_out = outs[-1] if outs else None
    late = _minutes(clock_in - shift.starts_at)
    late = late if late > tolerances.late_minutes else 0
    early = _minutes(shift.ends_at - clock_out) if clock_out else 0
    early = early if early > tolerances.early_leave_minutes else 0
    finished = clock_out is not None or now >= shift.ends_at + CLOCK_OUT_LATEST
    until = min(clock_out, shift.ends_at) if clock_out else shift.ends_at
    hours = max(0.0, (until - max(clock_in, shift.starts_at)).total_seconds() / 3600) if finished else 0.0
    return ShiftAttendance(shift, "worked" if finished else "on_duty", clock_in, clock_out, late, early,
                           missing_clock_out=clock_out is None and finished, hours=round(hours, 2))


@dataclass
class SheetRow:
    staff_id: str
    name: str = ""
    shifts_rostered: int = 0
    shifts_worked: int = 0
    hours: float = 0.0
    night_shifts: int = 0
    rest_day_shifts: int = 0
    overtime_shifts: int = 0
    overtime_hours: float = 0.0
    late: int = 0
    early_leave: int = 0
    absent: int = 0
    missing_clock_out: int = 0
    details: list[ShiftAttendance] = field(default_factory=list)


SHEET_COLUMNS = ("staff_id", "name", "shifts_rostered", "shifts_worked", "hours", "night_shifts",
                 "rest_day_shifts", "overtime_shifts", "overtime_hours", "late", "early_leave", "absent",
                 "missing_clock_out")
SHEET_HEADINGS = ("工号", "姓名", "排班数", "出勤班次", "工时", "夜班", "节假日/休息日班", "加班班次", "加班工时",
                  "迟到", "早退", "脱岗", "漏打卡")


def sheet(shifts: Iterable[RosteredShift], punches: list[Punch], *, now: datetime, tolerances: Tolerances,
          names: dict[str, str] | None = None) -> list[SheetRow]:
    """The monthly attendance sheet: one row per person, counted from each shift's attendance."""
    rows: dict[str, SheetRow] = {}
    for shift in sorted(shifts, key=lambda s: (s.staff_id, s.starts_at)):
        row = rows.setdefault(shift.staff_id, SheetRow(shift.staff_id, (names or {}).get(shift.staff_id, "")))
        record = attend(shift, punches, now=now, tolerances=tolerances)
        row.details.append(record)
        row.shifts_rostered += 1
        row.late += int(record.late)
        row.early_leave += int(record.left_early)
        row.absent += int(record.status == "absent")
        row.missing_clock_out += int(record.missing_clock_out)
        if record.status == "worked":
            row.shifts_worked += 1
            row.hours = round(row.hours + record.hours, 2)
            row.night_shifts += int(shift.night)
            row.rest_day_shifts += int(shift.rest_day)
            if shift.overtime:
                row.overtime_shifts += 1
                row.overtime_hours = round(row.overtime_hours + record.hours, 2)
    return list(rows.values())


def sheet_cells(rows: list[SheetRow]) -> list[list]:
    return [[getattr(row, column) for column in SHEET_COLUMNS] for row in rows]
