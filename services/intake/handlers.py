"""Intake's event consumers: the ticket follows its work order (by events only)."""

from services.intake import commands

HANDLERS = {
    "dispatch.workorder.assigned": commands.follow_work_order,
    "dispatch.workorder.completed": commands.follow_work_order,
}
