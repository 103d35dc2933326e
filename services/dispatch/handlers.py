"""Dispatch's event consumers: tickets become work orders; estates are projected."""

from services.dispatch import commands
from shared.estates import project_estate

HANDLERS = {
    "intake.estate.registered": project_estate,
    "intake.ticket.opened": commands.create_work_order_for_ticket,
}
