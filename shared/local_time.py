"""Times a person reads: the estate's local time in a human form (`12月1日 23:27`, `1 Dec 23:27`).

Stored and API times stay UTC / RFC 3339; only texts for people (messages, screens, exports) use this.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

Language = Literal["zh", "en"]
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def to_local(moment: datetime, time_zone: str) -> datetime:
    """The moment on the estate's clock; a naive datetime is taken as UTC (how the database hands them back)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(time_zone))


def local_time(moment: datetime, time_zone: str, *, language: Language = "zh", with_year: bool = False) -> str:
    """`12月1日 23:27` / `1 Dec 23:27`; `with_year` for texts kept beyond the year (exports, records)."""
    local = to_local(moment, time_zone)
    clock = f"{local:%H:%M}"
    if language == "en":
        year = f" {local.year}" if with_year else ""
        return f"{local.day} {_MONTHS_EN[local.month - 1]}{year} {clock}"
    year = f"{local.year}年" if with_year else ""
    return f"{year}{local.month}月{local.day}日 {clock}"


def human_day(day: date | str, *, language: Language = "zh") -> str:
    """A local day as people say it: `12月1日` / `1 Dec` (a shift date, a report day)."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{day.day} {_MONTHS_EN[day.month - 1]}" if language == "en" else f"{day.month}月{day.day}日"


def local_time_or_blank(moment: datetime | None, time_zone: str, **options: object) -> str:
    """For table cells and optional fields: nothing when there is no time."""
    return local_time(moment, time_zone, **options) if moment else ""  # type: ignore[arg-type]
