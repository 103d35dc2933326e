"""Dispatch's event consumers: tickets become work orders; estates are projected."""

from services.dispatch.commands import incidents
from shared.estates import project_estate

HANDLERS = {
    "intake.estate.registered": project_estate,
    "intake.ticket.opened": incidents.create_work_order_for_ticket,  # none for a ticket in an incident
    "intake.ticket.updated": incidents.merge_ticket_into_incident,
    "intake.incident.declared": incidents.open_incident_order,
    "intake.incident.resolved": incidents.cancel_incident_order,
}
