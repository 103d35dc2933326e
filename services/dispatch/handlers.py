"""Dispatch's event consumers: tickets become work orders; estates are projected. Every handler is
batch-shaped (`shared.consumer.batched`): it gets all of its events of a batch, with typed payloads."""

from services.dispatch.commands import handover, incidents, ledger
from shared.estates import project_estates

HANDLERS = {
    "intake.estate.registered": project_estates,
    "intake.ticket.opened": incidents.create_work_orders_for_tickets,  # none for a ticket in an incident
    "intake.ticket.updated": incidents.merge_tickets_into_incidents,
    "intake.incident.declared": incidents.open_incident_orders,
    "intake.incident.resolved": incidents.cancel_incident_orders,
}

# The duty desk's own queue: calls, dispatches and incidents into the ledger (one handler: the chain
# keeps their arrival order); the day's figures; keys on loan.
DUTY_HANDLERS = {
    "intake.contact.logged": ledger.record_duty_events,
    "intake.incident.declared": ledger.record_duty_events,
    "dispatch.workorder.created": ledger.record_duty_events,
    "dispatch.workorder.assigned": ledger.record_duty_events,
    "dispatch.workorder.completed": ledger.record_duty_events,
    "dispatch.sla.breached": ledger.record_duty_events,
    "intake.key.lent": handover.project_keys_on_loan,
    "intake.key.returned": handover.project_keys_on_loan,
}
