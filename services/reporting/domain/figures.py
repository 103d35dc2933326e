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
        answered_in_time = 1 if data.get("answered_within_15s") else 0
        return {"contacts_logged": 1, "contacts_answered_within_15s": answered_in_time}
    return {}


def attribution_day(happened_at: datetime, time_zone: str) -> date:
    """Figures count on the estate's local day the thing happened, not the day it arrived."""
    return local_day(happened_at, time_zone)
