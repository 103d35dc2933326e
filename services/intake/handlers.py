"""Intake's event consumers: the ticket (and a complaint's record) follows its work order, by events only;
an incident's one work order moves the incident (commands.incidents.follow_work_order hands the rest on)."""

from services.intake.commands import incidents

HANDLERS = {
    "dispatch.workorder.created": incidents.follow_work_order,
    "dispatch.workorder.assigned": incidents.follow_work_order,
    "dispatch.workorder.accepted": incidents.follow_work_order,
    "dispatch.workorder.arrived": incidents.follow_work_order,
    "dispatch.workorder.plan_recorded": incidents.follow_work_order,
    "dispatch.workorder.completed": incidents.follow_work_order,
}
