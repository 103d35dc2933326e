"""Incident rules: which open incident a new ticket belongs to, the incident's life cycle, its number.

A burst main or a power cut brings many calls; they are grouped under one incident (one work
order, one status, one broadcast) instead of becoming many work orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from shared.errors import InvalidTransition

Status = Literal["open", "investigating", "resolved"]
OPEN_STATUSES: tuple[str, ...] = ("open", "investigating")
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"investigating", "resolved"}),
    "investigating": frozenset({"resolved"}),
    "resolved": frozenset(),
}
# A new report belongs to an incident declared at most this long ago (the storm of calls).
MATCH_WINDOW = timedelta(hours=2)
# Tickets still being handled may join an incident; a finished one has nothing left to share.
LINKABLE_TICKET_STATUSES: frozenset[str] = frozenset({"open", "in_progress"})
# Ignore a place text this short: "3" would match half the estate.
MIN_PLACE_LENGTH = 2


@dataclass(frozen=True)
class Report:
    """What matching needs to know of a ticket (or of a call about to become one)."""

    category: str | None  # None: any category (a caller about to be asked)
    subcategory: str | None
    building_id: str | None
    location: str | None


def normalised_place(text: str | None) -> str:
    """Case, spaces and punctuation do not make two places different: `3栋 1单元` = `3栋1单元`."""
    if not text:
        return ""
    return "".join(character for character in text.casefold() if character.isalnum())


def same_place(report: Report, incident: dict) -> bool:
    """The same building, or one location text containing the other (`3栋` and `3栋1单元502`)."""
    if report.building_id and incident.get("building_id"):
        if report.building_id == incident["building_id"]:
            return True
    mine, theirs = normalised_place(report.location), normalised_place(incident.get("location"))
    if len(mine) < MIN_PLACE_LENGTH or len(theirs) < MIN_PLACE_LENGTH:
        return False
    return mine in theirs or theirs in mine


def matches(report: Report, incident: dict, *, now: datetime) -> bool:
    """Open, of the same kind (subcategory, and category when known), at the same place, declared within two hours."""
    if incident["status"] not in OPEN_STATUSES:
        return False
    if report.subcategory != incident.get("subcategory"):
        return False
    if report.category is not None and report.category != incident["category"]:
        return False
    if not timedelta(0) <= now - incident["declared_at"] <= MATCH_WINDOW:
        return False
    return same_place(report, incident)


def matching(report: Report, incidents: list[dict], *, now: datetime) -> list[dict]:
    """The incidents a report may join, the most recently declared first."""
    found = [incident for incident in incidents if matches(report, incident, now=now)]
    return sorted(found, key=lambda incident: incident["declared_at"], reverse=True)


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(f"an incident that is {current} cannot become {target}")


def check_linkable(ticket_status: str, *, field: str | None = None) -> None:
    if ticket_status not in LINKABLE_TICKET_STATUSES:
        raise InvalidTransition(f"a ticket that is {ticket_status} cannot join an incident", field=field)


def incident_number(day: date, sequence: int) -> str:
    """`SJ-20261126-01`: 事件, the estate's day and its gapless sequence."""
    return f"SJ-{day:%Y%m%d}-{sequence:02d}"


def broadcast_text(description: str, location: str | None) -> str:
    """The default notice to the affected residents (the emergency plan's first message)."""
    where = f"{location}：" if location else ""
    return f"【突发事件通知】{where}{description}。物业已在处理，恢复后将另行通知，给您带来不便敬请谅解。"


def broadcast_audience(building_id: str | None) -> str:
    """A building's residents when the incident names its building, else the whole estate."""
    return "building" if building_id else "estate"
