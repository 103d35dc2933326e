"""Intake's event consumers: the ticket (and a complaint's record) follows its work order, by events only."""

from services.intake import commands

HANDLERS = {
    "dispatch.workorder.assigned": commands.follow_work_order,
    "dispatch.workorder.accepted": commands.follow_work_order,
    "dispatch.workorder.arrived": commands.follow_work_order,
    "dispatch.workorder.plan_recorded": commands.follow_work_order,
    "dispatch.workorder.completed": commands.follow_work_order,
}
