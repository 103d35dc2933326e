"""Intake's use cases, called by the HTTP routes and the event handlers alike.

One module per area; the names other code calls (`commands.log_contact`, …) are kept here.
"""

from services.intake.commands.contacts import create_ticket, log_contact, open_ticket, ticket_reference
from services.intake.commands.estates import find_estate_in_scope, register_estate
from services.intake.commands.follow_ups import record_attempt
from services.intake.commands.tickets import (
    apply_command,
    change_ticket,
    is_resident,
    patch_ticket,
    ticket_scope,
)

__all__ = [
    "apply_command", "change_ticket", "create_ticket", "find_estate_in_scope", "is_resident",
    "log_contact", "open_ticket", "patch_ticket", "record_attempt", "register_estate", "ticket_reference",
    "ticket_scope",
]
