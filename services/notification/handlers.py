"""Notification's event consumers."""

from services.notification import commands
from services.notification.commands import webhooks as webhook_commands
from shared.estates import project_estate

HANDLERS = {
    # Each estate's company (the scope check of every request) and time zone (the times in messages).
    "intake.estate.registered": project_estate,
    "dispatch.workorder.assigned": commands.notify_assignee,
    "dispatch.sla.warning": commands.notify_sla_warning,
    "dispatch.sla.breached": commands.notify_sla_breach,
    "dispatch.workorder.escalated": commands.notify_escalation,
    "dispatch.shift.handover_missing": commands.notify_missing_handover,
}

# Integrators' webhooks: every event is looked at (subscriptions change at any time), in a queue of its own.
WEBHOOK_HANDLERS = {"#": webhook_commands.fan_out}
