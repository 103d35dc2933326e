"""Duty rosters (客服排班表): shift templates, cells, the month's problem and its shifts in real time;
a stored roster read as one. The rules are checked in `roster_checks`, a month is built in
`roster_solver`, and the changes of a published roster are `roster_changes`.

Pure computation: no I/O. A roster is a grid of cells, (day, shift code) → the staff on it.
A shift belongs to the local day it starts on; a shift whose end is at or before its start
(夜班 22:00–06:00, or 中班 16:00–24:00 written as 24:00) ends on the next day.

The rules, each with a stable name used in every refusal:
- `minimum_staff`   each shift has at least its template's minimum of staff;
- `rest`            at least `min_rest_hours` between the end of one shift and the start of the
                    next for the same person (measured on real times, across midnight and days);
- `consecutive_nights` no more than `max_consecutive_nights` calendar days in a row with a night shift;
- `weekly_hours`    rostered hours per ISO week (Monday–Sunday) clipped to the month, within the
                    limit; the part of a week in the neighbouring month belongs to that month's roster;
- `leave`           nobody on a shift of a day of their approved leave;
- `overtime_hours`  approved overtime (加班) per person and month within the limit (劳动法: 36 h);
                    overtime does not count towards `weekly_hours`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from services.dispatch.domain.calendar import BusinessCalendar

RULES = ("minimum_staff", "rest", "consecutive_nights", "weekly_hours", "leave", "overtime_hours")
DAY_MINUTES = 24 * 60
NIGHT_HOURS = (0, 5 * 60)  # a shift covering any of 00:00–05:00 is a night shift unless told otherwise


@dataclass(frozen=True)
class ShiftTemplate:
    code: str
    name: str
    starts: int  # minutes after local midnight
    ends: int  # minutes after local midnight, 1..1440; at or before `starts` means the next day
    minimum: int = 1
    maximum: int | None = None  # defaults to the minimum: a roster covers, it does not overstaff
    night: bool = False

    @property
    def minutes(self) -> int:
        return self.ends - self.starts if self.ends > self.starts else self.ends + DAY_MINUTES - self.starts

    @property
    def crosses_midnight(self) -> bool:
        return self.ends <= self.starts or self.ends == DAY_MINUTES

    @property
    def most(self) -> int:
        return max(self.minimum, self.maximum if self.maximum is not None else self.minimum)


def clock_minutes(text: str) -> int:
    """"08:30" → 510; "24:00" is the end of the day (1440)."""
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{text!r} is not HH:MM")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > DAY_MINUTES:
        raise ValueError(f"{text!r} is not a time of day")
    return value


def clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# The usual shifts of a service centre (轮班制度): three eight-hour shifts round the clock, and the
# office day of 值班管理规定 (早班 8:30–17:30, here 白班), defined but not staffed (minimum 0) until
# an estate that works office days gives it a minimum.
DEFAULT_TEMPLATES = (
    ShiftTemplate("early", "早班", clock_minutes("08:00"), clock_minutes("16:00"), minimum=1),
    ShiftTemplate("middle", "中班", clock_minutes("16:00"), clock_minutes("24:00"), minimum=1),
    ShiftTemplate("night", "夜班", clock_minutes("00:00"), clock_minutes("08:00"), minimum=1, night=True),
    ShiftTemplate("day", "白班", clock_minutes("08:30"), clock_minutes("17:30"), minimum=0),
)


@dataclass(frozen=True)
class RosterRules:
    min_rest_hours: float = 12
    max_consecutive_nights: int = 3
    weekly_hours_limit: float = 40
    max_overtime_hours_per_month: float = 36


@dataclass(frozen=True)
class Cell:
    day: date
    shift: str


@dataclass(frozen=True)
class Violation:
    rule: str
    day: date
    staff_ids: tuple[str, ...] = ()
    shift: str | None = None
    detail: str = ""

    def as_dict(self) -> dict:
        return {"rule": self.rule, "day": self.day.isoformat(), "shift": self.shift,
                "staff_ids": list(self.staff_ids), "detail": self.detail}


def month_days(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return [first + timedelta(days=n) for n in range((following - first).days)]


def parse_month(text: str) -> tuple[int, int]:
    """"2026-12" → (2026, 12)."""
    year, _, month = text.partition("-")
    if not (len(year) == 4 and year.isdigit() and len(month) == 2 and month.isdigit() and 1 <= int(month) <= 12):
        raise ValueError(f"{text!r} is not a month like 2026-12")
    return int(year), int(month)


def shift_interval(day: date, template: ShiftTemplate, *, time_zone: str) -> tuple[datetime, datetime]:
    """The shift's real start and end, in UTC: wall-clock times of the estate, across midnight."""
    zone = ZoneInfo(time_zone)
    midnight = datetime.combine(day, time(0))
    start = (midnight + timedelta(minutes=template.starts)).replace(tzinfo=zone)
    end = (midnight + timedelta(minutes=template.starts + template.minutes)).replace(tzinfo=zone)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def local_midnight(day: date, time_zone: str) -> datetime:
    """The start of the estate's local day, in UTC."""
    return datetime.combine(day, time(0)).replace(tzinfo=ZoneInfo(time_zone)).astimezone(timezone.utc)


def week_of(day: date) -> date:
    """The Monday of the day's ISO week: the key of `weekly_hours`."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Instance:
    """One shift of one day, with its real times."""

    cell: Cell
    starts_at: datetime
    ends_at: datetime
    minutes: int
    night: bool


@dataclass(frozen=True)
class RosterProblem:
    year: int
    month: int
    staff_ids: tuple[str, ...]
    templates: tuple[ShiftTemplate, ...]
    rules: RosterRules = RosterRules()
    time_zone: str = "Asia/Shanghai"
    leave: Mapping[str, frozenset[date]] = field(default_factory=dict)  # approved leave per staff member
    rest_days: frozenset[date] = frozenset()  # weekends and public holidays of the estate's calendar
    fixed: Mapping[Cell, tuple[str, ...]] = field(default_factory=dict)  # cells the supervisor pinned
    # Shifts worked at the end of the month before (staff id, shift): the rest and night rules reach
    # back across the month's first midnight; nothing is reported on those days themselves.
    history: tuple[tuple[str, Instance], ...] = ()

    @property
    def days(self) -> list[date]:
        return month_days(self.year, self.month)

    def template(self, code: str) -> ShiftTemplate:
        return next(t for t in self.templates if t.code == code)

    def on_leave(self, staff_id: str, day: date) -> bool:
        return day in self.leave.get(staff_id, frozenset())


def instances(problem: RosterProblem) -> list[Instance]:
    result = []
    for day in problem.days:
        for template in problem.templates:
            start, end = shift_interval(day, template, time_zone=problem.time_zone)
            result.append(Instance(Cell(day, template.code), start, end, template.minutes, template.night))
    return result


def too_close(first: Instance, second: Instance, *, min_rest: timedelta) -> bool:
    """Two shifts one person may not both work: overlapping, or with less rest between them."""
    earlier, later = sorted((first, second), key=lambda i: i.starts_at)
    return later.starts_at - earlier.ends_at < min_rest


Assignments = Mapping[Cell, Iterable[str]]


# --- what a roster says about people ------------------------------------------------------------------


def staff_totals(problem: RosterProblem, assignments: Assignments) -> dict[str, dict[str, float]]:
    """Per person: shifts, hours, nights and rest-day (weekend and holiday) shifts of the roster."""
    totals = {s: {"shifts": 0, "hours": 0.0, "nights": 0, "rest_day_shifts": 0} for s in problem.staff_ids}
    by_cell = {i.cell: i for i in instances(problem)}
    for cell, staff_ids in assignments.items():
        instance = by_cell[cell]
        for staff_id in staff_ids:
            entry = totals.setdefault(staff_id, {"shifts": 0, "hours": 0.0, "nights": 0, "rest_day_shifts": 0})
            entry["shifts"] += 1
            entry["hours"] += instance.minutes / 60
            entry["nights"] += int(instance.night)
            entry["rest_day_shifts"] += int(cell.day in problem.rest_days)
    return totals


# --- a stored roster ------------------------------------------------------------------------------


def _covers_night(template: ShiftTemplate) -> bool:
    start, end = template.starts, template.starts + template.minutes
    return any(start < night_end + day and end > night_start + day
               for day in (0, DAY_MINUTES) for night_start, night_end in (NIGHT_HOURS,))


def template_of(document: dict[str, Any]) -> ShiftTemplate:
    """A stored (or requested) shift template; `night` unless told is whether it covers 00:00–05:00."""
    template = ShiftTemplate(
        document["code"], document["name"], clock_minutes(document["starts"]), clock_minutes(document["ends"]),
        document.get("minimum", 1), document.get("maximum"),
    )
    night = document.get("night")
    return ShiftTemplate(**{**template.__dict__, "night": _covers_night(template) if night is None else night})


def template_document(template: ShiftTemplate) -> dict[str, Any]:
    return {"code": template.code, "name": template.name, "starts": clock_text(template.starts),
            "ends": clock_text(template.ends), "minimum": template.minimum, "maximum": template.maximum,
            "night": template.night, "hours": template.minutes / 60, "crosses_midnight": template.crosses_midnight}


def rest_days(days: list[date]) -> frozenset[date]:
    """Weekends and public holidays (less the working weekends of 调休), from the Chinese calendar."""
    calendar = BusinessCalendar()
    return frozenset(day for day in days if not calendar.is_business_day(day)[0])


def problem_of(roster: dict[str, Any], *, leave: Mapping[str, frozenset[date]], time_zone: str,
               history: tuple = ()) -> RosterProblem:
    """The problem a stored roster answers, with this leave and the shifts worked the month before."""
    year, month = parse_month(roster["month"])
    return RosterProblem(
        year, month, tuple(roster["staff_ids"]), tuple(template_of(t) for t in roster["templates"]),
        RosterRules(**roster["rules"]), time_zone, leave, rest_days(month_days(year, month)), history=history,
    )


def grid_of(roster: dict[str, Any], key: str = "staff_ids") -> dict[Cell, tuple[str, ...]]:
    """A stored roster's grid: its staff (or, with `overtime_ids`, its approved overtime) per cell."""
    return {Cell(date.fromisoformat(c["day"]), c["shift"]): tuple(c.get(key, ())) for c in roster["cells"]
            if c.get(key)}


def cells_of(problem: RosterProblem, grid: Assignments, *, overtime: Assignments | None = None) -> list[dict[str, Any]]:
    """A grid as stored: every cell of the month, with its staff and overtime."""
    return [{"day": day.isoformat(), "shift": t.code, "staff_ids": list(grid.get(Cell(day, t.code), ())),
             "overtime_ids": list((overtime or {}).get(Cell(day, t.code), ()))}
            for day in problem.days for t in problem.templates]
