"""Events of intake's tickets life cycle and follow-ups (回访)."""

from __future__ import annotations

from datetime import datetime

from shared.events.intake import TicketUpdated
from shared.events.registry import Payload, event


@event("intake.ticket.followed_up")
class TicketFollowedUp(TicketUpdated):
    """The resident was reached after the work and is satisfied (score 3–5)."""

    score: int | None = None


@event("intake.ticket.closed")
class TicketClosed(TicketUpdated):
    """The ticket is closed for good (after its follow-up, or unreachable)."""


@event("intake.ticket.reopened")
class TicketReopened(TicketUpdated):
    """The resident is not satisfied: the ticket is back in progress (dispatch is not asked to react)."""

    score: int | None = None


@event("intake.ticket.cancelled")
class TicketCancelled(TicketUpdated):
    """The request was withdrawn or is a duplicate."""


@event("intake.followup.due")
class FollowUpDue(Payload):
    """A resolved repair, complaint or help request waits for its follow-up call."""

    follow_up_id: str
    ticket_id: str
    ticket_number: str
    category: str
    unit_id: str | None = None
    resident_id: str | None = None
    due_by: datetime


@event("intake.followup.completed")
class FollowUpCompleted(Payload):
    """A follow-up is over: satisfied, dissatisfied (ticket reopened), unreachable, or withdrawn (reopened first)."""

    follow_up_id: str
    ticket_id: str
    ticket_number: str
    result: str
    score: int | None = None
    comment: str | None = None
    attempts: int
    by: str
