"""Intake's event consumers: the ticket follows its work order (by events only)."""

from services.intake import commands

HANDLERS = {
    "dispatch.workorder.assigned": commands.start_ticket_work,
}
