"""Business hours on the estate's calendar: Chinese public holidays, adjusted working weekends
(调休), and the estate's own overrides for days the calendar package does not know yet.

`chinese-calendar` knows 2004–2026 only; past that, a day with no override falls back to the
plain week (Monday–Friday) and the result says it is approximate, so that nobody mistakes a
guess for the official calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

MAX_DAYS = 400  # no deadline looks further than this for business time


@dataclass(frozen=True)
class BusinessCalendar:
    opens: time = time(8, 30)
    closes: time = time(17, 30)
    time_zone: str = "Asia/Shanghai"
    holidays: frozenset[date] = field(default_factory=frozenset)  # the estate's days off
    working_days: frozenset[date] = field(default_factory=frozenset)  # the estate's working weekends

    def is_business_day(self, day: date) -> tuple[bool, bool]:
        """(is it a working day, do we know it from a calendar rather than guess it)."""
        if day in self.holidays:
            return False, True
        if day in self.working_days:
            return True, True
        try:
            return chinese_calendar.is_workday(day), True
        except NotImplementedError:
            return day.weekday() < 5, False


@dataclass(frozen=True)
class BusinessDeadline:
    at: datetime
    approximate: bool


def add_business_time(start: datetime, duration: timedelta, *, calendar: BusinessCalendar) -> BusinessDeadline:
    """`start` plus `duration` of business time: counted only inside opening hours of working days."""
    zone = ZoneInfo(calendar.time_zone)
    cursor = start.astimezone(zone)
    remaining = duration
    approximate = False
    for _ in range(MAX_DAYS):
        day = cursor.date()
        working, known = calendar.is_business_day(day)
        approximate = approximate or not known
        if working:
            opens = datetime.combine(day, calendar.opens, tzinfo=zone)
            closes = datetime.combine(day, calendar.closes, tzinfo=zone)
            begin = max(cursor, opens)
            if begin < closes:
                if remaining <= closes - begin:
                    return BusinessDeadline(begin + remaining, approximate)
                remaining -= closes - begin
        cursor = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    raise ValueError(f"{duration} of business time does not fit in {MAX_DAYS} days")
