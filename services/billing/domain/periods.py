"""Billing periods: a month (`2026-03`) or a year (`2026`), their days, due dates and pro-rata days."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from shared.errors import InvalidInput

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    code: str
    cycle: str  # monthly | yearly
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def due_date(self, due_day: int) -> date:
        """The due day of the period's first month (clamped to its length: the 31st of February is the 28th)."""
        last = calendar.monthrange(self.start.year, self.start.month)[1]
        return self.start.replace(day=min(due_day, last))

    def billed_days(self, billing_starts_on: date | None) -> tuple[date, int] | None:
        """From when and for how many days a unit is billed in this period; None when not at all."""
        start = self.start if billing_starts_on is None else max(self.start, billing_starts_on)
        if start > self.end:
            return None
        return start, (self.end - start).days + 1


def parse_period(code: str, *, field: str = "period") -> Period:
    if match := MONTH.match(code):
        year, month = int(match[1]), int(match[2])
        last = calendar.monthrange(year, month)[1]
        return Period(code, "monthly", date(year, month, 1), date(year, month, last))
    if match := YEAR.match(code):
        year = int(match[1])
        return Period(code, "yearly", date(year, 1, 1), date(year, 12, 31))
    raise InvalidInput("a period is a month (2026-03) or a year (2026)", field=field)


def period_of(day: date, cycle: str) -> Period:
    return parse_period(f"{day:%Y-%m}" if cycle == "monthly" else f"{day:%Y}")


def refuse_future(period: Period, today: date, *, field: str = "period") -> None:
    if period.start > today:
        raise InvalidInput(f"the period {period.code} has not begun yet", field=field)
