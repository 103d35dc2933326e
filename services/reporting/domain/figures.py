"""How each event moves the daily figures. Pure: the live path and a rebuild use the same rules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shared.estates import local_day


def daily_figures_id(estate_id: str, day: date) -> str:
    return f"{estate_id}:{day.isoformat()}"


def increments_for(event_type_name: str, data: dict[str, Any]) -> dict[str, int]:
    """The counters an event adds to its estate's day (empty when it moves none)."""
    if event_type_name == "intake.ticket.opened":
        return {"tickets_opened": 1, f"tickets_by_category.{data['category']}": 1}
    if event_type_name == "dispatch.workorder.created":
        return {"work_orders_created": 1}
    if event_type_name == "intake.contact.logged":
        answered = data.get("answered_within_15s")  # None: the ring or answer time was not recorded
        return {"contacts_logged": 1, "contacts_timed": 0 if answered is None else 1,
                "contacts_answered_within_15s": 1 if answered else 0}
    return {}


NO_ANSWER_TIMES = "no answer times were recorded for this day's contacts"


def answered_in_time(document: dict[str, Any]) -> tuple[int | None, str | None]:
    """How many contacts were answered within 15 s, or unknown (None, why) when none was timed.

    A day counted before contacts_timed existed has no such counter; its positive count still stands.
    """
    answered = document.get("contacts_answered_within_15s", 0)
    if document.get("contacts_timed", 0) == 0 and answered == 0:
        return None, NO_ANSWER_TIMES
    return answered, None


def attribution_day(happened_at: datetime, time_zone: str) -> date:
    """Figures count on the estate's local day the thing happened, not the day it arrived."""
    return local_day(happened_at, time_zone)
