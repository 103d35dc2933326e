"""Notification's event consumers."""

from services.notification import commands

HANDLERS = {
    "dispatch.workorder.assigned": commands.notify_assignee,
}
