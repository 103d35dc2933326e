"""Notification's event consumers."""

from services.notification import commands
from services.notification.commands import webhooks as webhook_commands
from services.notification.commands.projection import DIRECTORY, STAFF_SOURCES
from services.notification.domain.rules import EVENT_TYPES
from shared.estates import project_estates

HANDLERS = {
    # Each estate's company (the scope check of every request) and time zone (the times in messages).
    "intake.estate.registered": project_estates,
    # The directory, dispatch's staff and every event a rule tells someone of, in one batch-shaped handler.
    **{event_type: commands.on_events for event_type in sorted({*DIRECTORY, *STAFF_SOURCES, *EVENT_TYPES})},
}

# Integrators' webhooks: every event is looked at (subscriptions change at any time), in a queue of its own.
WEBHOOK_HANDLERS = {"#": webhook_commands.fan_out}
