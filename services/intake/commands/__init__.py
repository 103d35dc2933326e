"""Intake's use cases, called by the HTTP routes and the event handlers alike.

One module per area; the names other code calls (`commands.log_contact`, …) are kept here.
"""

from services.intake.commands.contacts import contact_public, create_ticket, log_contact, open_ticket
from services.intake.commands.estates import estate_public, find_estate_in_scope, register_estate
from services.intake.commands.follow_ups import follow_up_public, record_attempt
from services.intake.commands.tickets import (
    apply_command,
    change_ticket,
    follow_work_order,
    is_resident,
    patch_ticket,
    ticket_public,
    ticket_scope,
)

__all__ = [
    "apply_command", "change_ticket", "contact_public", "create_ticket", "estate_public", "find_estate_in_scope",
    "follow_up_public", "follow_work_order", "is_resident", "log_contact", "open_ticket", "patch_ticket", "record_attempt",
    "register_estate", "ticket_public", "ticket_scope",
]
