"""Intake's event consumers: the ticket (and a complaint's record) follows its work order, by events only;
an incident's one work order moves the incident (commands.work_orders)."""

from services.intake.commands.work_orders import follow_work_orders

HANDLERS = {
    "dispatch.workorder.created": follow_work_orders,
    "dispatch.workorder.assigned": follow_work_orders,
    "dispatch.workorder.accepted": follow_work_orders,
    "dispatch.workorder.arrived": follow_work_orders,
    "dispatch.workorder.plan_recorded": follow_work_orders,
    "dispatch.workorder.completed": follow_work_orders,
}
