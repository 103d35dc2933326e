"""Quality-check rules (质检/监听): which contacts are sampled, how a checklist is scored.

Sampling is reproducible: the eligible contacts in id order, drawn with a seeded generator, so
the same seed over the same period gives the same sample (the seed is kept with the sample).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from shared.errors import InvalidInput

Target = Literal["random", "complaints", "late_answers", "long_calls"]
# The checklist and each item's weight (they add up to 100).
CHECKLIST: dict[str, int] = {
    "answered_within_three_rings": 20,
    "greeting_and_polite_language": 20,
    "caller_and_problem_recorded": 20,
    "reply_time_promised": 20,
    "correct_category_and_priority": 20,
}
# Call length is not recorded; a long conversation leaves a long log, so "long calls" are those.
LONG_SUMMARY_CHARS = 150
MAX_PERIOD_DAYS = 92
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def score(checklist: dict[str, bool | None]) -> int:
    """0–100: the weight of the items passed over the weight of the items that apply (None: not applicable)."""
    applicable = {item: passed for item, passed in checklist.items() if passed is not None}
    if not applicable:
        raise InvalidInput("at least one checklist item must apply", field="checklist")
    total = sum(CHECKLIST[item] for item in applicable)
    return round(100 * sum(CHECKLIST[item] for item, passed in applicable.items() if passed) / total)


def failed_items(checklist: dict[str, bool | None]) -> list[str]:
    return [item for item in CHECKLIST if checklist.get(item) is False]


def with_logged_facts(checklist: dict[str, bool | None], answered_within_15s: bool | None) -> dict[str, bool | None]:
    """The three-rings item is a fact of the log when the reviewer leaves it out (None for a visit)."""
    filled = {item: checklist.get(item) for item in CHECKLIST}
    if "answered_within_three_rings" not in checklist:
        filled["answered_within_three_rings"] = answered_within_15s
    return filled


def eligible(contact: dict, ticket_category: str | None, *, target: str) -> bool:
    if target == "complaints":
        return ticket_category == "complaint"
    if target == "late_answers":
        return contact.get("answered_within_15s") is False
    if target == "long_calls":
        return len(contact.get("summary") or "") >= LONG_SUMMARY_CHARS
    return True


def draw(contact_ids: list[str], size: int, *, seed: int) -> list[str]:
    """`size` of the ids (all when fewer), the same for the same ids and seed."""
    ordered = sorted(contact_ids)
    return sorted(random.Random(seed).sample(ordered, min(size, len(ordered))))


def period_bounds(first_day: date, last_day: date, *, time_zone: str) -> tuple[datetime, datetime]:
    """The UTC instants from the start of the first local day to the end of the last."""
    if not (EARLIEST <= first_day and last_day <= LATEST):
        raise InvalidInput(f"a period lies between {EARLIEST} and {LATEST}", field="from_day")
    if last_day < first_day:
        raise InvalidInput("the period ends before it starts", field="to_day")
    if (last_day - first_day).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(f"a period is at most {MAX_PERIOD_DAYS} days", field="to_day")
    zone = ZoneInfo(time_zone)
    start = datetime.combine(first_day, time(0), zone)
    end = datetime.combine(last_day + timedelta(days=1), time(0), zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def month_of(moment: datetime, time_zone: str) -> str:
    """The estate's local month of a contact, `2026-11`: the agent's month the score counts in."""
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m")
