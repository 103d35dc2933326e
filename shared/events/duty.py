"""Events of dispatch's duty rosters: publication, and the changes (swaps, leave, cover, overtime)."""

from __future__ import annotations

from shared.events.registry import Payload, event


class StaffRosterSummary(Payload):
    staff_id: str
    shifts: int
    hours: float
    nights: int
    rest_day_shifts: int


@event("dispatch.roster.published")
class RosterPublished(Payload):
    """A month's duty roster (客服排班表) of a department was published and now decides who is on duty."""

    roster_id: str
    department: str
    month: str
    shifts: list[str]
    staff: list[StaffRosterSummary]


@event("dispatch.roster.change_requested")
class RosterChangeRequested(Payload):
    """A swap (调班), leave (请假), cover (代班) or overtime (加班) was asked for; it waits for a supervisor."""

    change_id: str
    kind: str
    department: str
    staff_id: str
    requested_by: str
    days: list[str]


@event("dispatch.roster.change_approved")
class RosterChangeApproved(Payload):
    """A supervisor approved a roster change; the published roster now includes it."""

    change_id: str
    kind: str
    department: str
    staff_id: str
    decided_by: str
    days: list[str]


@event("dispatch.roster.change_refused")
class RosterChangeRefused(Payload):
    """A supervisor refused a roster change; the roster stays as it was."""

    change_id: str
    kind: str
    department: str
    staff_id: str
    decided_by: str
    reason: str
