"""Events of intake: estates, contacts, tickets and incidents."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from shared.events.registry import Payload, event


@event("intake.estate.registered")
class EstateRegistered(Payload):
    """An estate joined the installation."""

    estate_id: str
    name: str
    time_zone: str
    address: str | None = None
    hotline_number: str | None = None  # E.164
    business_hours: dict | None = None  # {"opens": "08:00:00", "closes": "18:00:00"}, local time


@event("intake.contact.logged")
class ContactLogged(Payload):
    """A call, visit, message or patrol finding was logged."""

    contact_id: str
    channel: str
    rang_at: datetime | None = None
    answered_at: datetime | None = None
    answered_within_15s: bool | None = None
    outcome: str
    ticket_id: str | None = None


@event("intake.ticket.opened")
class TicketOpened(Payload):
    """A request became a ticket; repairs, help requests and complaints go on to dispatch."""

    ticket_id: str
    number: str
    category: str
    subcategory: str | None = None
    priority: Literal["P1", "P2", "P3", "P4"]
    scope: str
    location: str | None = None
    unit_id: str | None = None
    resident_id: str | None = None  # the caller, when recognised
    description: str
    channel: str
    promised_reply_at: datetime
    opened_at: datetime
    major: bool = False  # a major complaint (flagged, P1/P2, or a resident's third in 30 days)
    building_id: str | None = None
    first_contact_resolution: bool = False  # answered on the call: resolved at once
    incident_id: str | None = None  # opened as part of an incident: its work order is the incident's


@event("intake.incident.declared")
class IncidentDeclared(Payload):
    """Many reports of one public-area problem were grouped under one incident."""

    incident_id: str
    category: str
    subcategory: str | None = None
    priority: Literal["P1", "P2", "P3", "P4"]
    location: str | None = None
    description: str
    declared_at: datetime
    number: str | None = None
    building_id: str | None = None
    ticket_ids: list[str] = []
    broadcast_audience: str | None = None  # "building" or "estate": who the one broadcast is for
    broadcast_message: str | None = None


@event("intake.ticket.updated")
class TicketUpdated(Payload):
    """A ticket changed: its status, or fields an agent corrected (`changes` names them)."""

    ticket_id: str
    number: str
    status: str
    previous_status: str
    by: str | None = None
    reason: str | None = None
    changes: list[str] = []
    incident_id: str | None = None  # set when the ticket joined an incident: its own work order goes


@event("intake.ticket.resolved")
class TicketResolved(TicketUpdated):
    """The work is done; the ticket waits for its follow-up."""


