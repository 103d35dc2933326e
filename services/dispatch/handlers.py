"""Dispatch's event consumers: tickets become work orders; estates are projected."""

from services.dispatch.commands import handover, incidents, ledger
from shared.estates import project_estate

HANDLERS = {
    "intake.estate.registered": project_estate,
    "intake.ticket.opened": incidents.create_work_order_for_ticket,  # none for a ticket in an incident
    "intake.ticket.updated": incidents.merge_ticket_into_incident,
    "intake.incident.declared": incidents.open_incident_order,
    "intake.incident.resolved": incidents.cancel_incident_order,
}

# The duty desk's own queue: calls, dispatches and incidents into the ledger; the day's figures; keys on loan.
DUTY_HANDLERS = {
    "intake.contact.logged": ledger.record_contact,
    "intake.incident.declared": ledger.record_incident,
    "dispatch.workorder.created": ledger.record_dispatch,
    "dispatch.workorder.assigned": ledger.record_dispatch,
    "dispatch.workorder.completed": ledger.count_completed,
    "dispatch.sla.breached": ledger.count_breached,
    "intake.key.lent": handover.project_key_lent,
    "intake.key.returned": handover.project_key_returned,
}
