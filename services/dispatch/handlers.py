"""Dispatch's event consumers: tickets become work orders; estates are projected."""

from services.dispatch.commands.work_orders import create_work_order_for_incident, create_work_order_for_ticket
from shared.estates import project_estate

HANDLERS = {
    "intake.estate.registered": project_estate,
    "intake.ticket.opened": create_work_order_for_ticket,
    "intake.incident.declared": create_work_order_for_incident,
}
