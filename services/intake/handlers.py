"""Intake's event consumers: the ticket follows its work order (by events only)."""

from services.intake.commands import incidents

# An incident's work order moves its incident; any other order its ticket (commands.follow_work_order).
HANDLERS = {
    "dispatch.workorder.created": incidents.follow_work_order,
    "dispatch.workorder.assigned": incidents.follow_work_order,
    "dispatch.workorder.completed": incidents.follow_work_order,
}
