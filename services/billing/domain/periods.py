"""Billing periods: a month (`2026-03`) or a year (`2026`), their days, due dates and pro-rata days.

A yearly item may be billed for a season of the year (供暖季, heating: `11-15` to `03-15`): its
period `2026` is then the season that begins in 2026, and pro rata counts the season's days, so a
unit that moves in before the heating starts pays the whole season and one that moves in during
it pays the days left.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from shared.errors import InvalidInput

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
YEAR = re.compile(r"^(\d{4})$")
SEASON_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


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

    def within(self, season: dict[str, str] | None) -> Period:
        """The part of a yearly period an item bills: the season beginning in its year, or the whole year.
        A season whose end comes before its start in the calendar ends in the next year."""
        if not season or self.cycle != "yearly":
            return self
        starts, ends = _month_day(season["starts"]), _month_day(season["ends"])
        start = date(self.start.year, *starts)
        end = date(self.start.year + (1 if ends < starts else 0), *ends)
        return Period(self.code, self.cycle, start, end)

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


def _month_day(text: str) -> tuple[int, int]:
    return int(text[:2]), int(text[3:])


def check_season(season: dict[str, str], *, field: str = "season") -> dict[str, str]:
    """`MM-DD` to `MM-DD`, each a day of every year (not 02-29), not the same day."""
    for key in ("starts", "ends"):
        text = season.get(key) or ""
        if not SEASON_DAY.match(text):
            raise InvalidInput("a season's day is MM-DD, e.g. 11-15", field=f"{field}.{key}")
        try:
            date(2001, *_month_day(text))  # a year without 29 February: the day comes every year
        except ValueError as error:
            raise InvalidInput(f"{text} is not a day of every year", field=f"{field}.{key}") from error
    if season["starts"] == season["ends"]:
        raise InvalidInput("a season ends on another day than it starts", field=f"{field}.ends")
    return {"starts": season["starts"], "ends": season["ends"]}


def period_of(day: date, cycle: str) -> Period:
    return parse_period(f"{day:%Y-%m}" if cycle == "monthly" else f"{day:%Y}")


def refuse_future(period: Period, today: date, *, field: str = "period") -> None:
    if period.start > today:
        raise InvalidInput(f"the period {period.code} has not begun yet", field=field)
