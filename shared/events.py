"""The registry of event types: one pydantic model per type and version.

Adding an optional field is compatible; anything else is a new major version registered
alongside the old one. Payload models live here only, never reused as API or storage models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.envelope import TYPE_PREFIX, Envelope, utcnow


@dataclass(frozen=True)
class EventType:
    name: str  # `<service>.<entity>.<verb>`, also the routing key
    version: int
    model: type[BaseModel]
    description: str

    @property
    def type(self) -> str:
        return f"{TYPE_PREFIX}{self.name}.v{self.version}"

    @property
    def service(self) -> str:
        return self.name.split(".", 1)[0]


REGISTRY: dict[str, EventType] = {}
_BY_MODEL: dict[type[BaseModel], EventType] = {}


def event(name: str, version: int = 1):
    """Register a payload model as the schema of `name` at `version`."""

    def register(model: type[BaseModel]) -> type[BaseModel]:
        spec = EventType(name, version, model, (model.__doc__ or "").strip())
        REGISTRY[spec.type] = spec
        _BY_MODEL[model] = spec
        return model

    return register


class Payload(BaseModel):
    model_config = ConfigDict(extra="allow")


def envelope_for(
    payload: BaseModel, *, subject: str, company_id: str, estate_id: str, time: datetime | None = None
) -> Envelope:
    spec = _BY_MODEL[type(payload)]
    return Envelope(
        source=f"/estatedesk/{spec.service}",
        type=spec.type,
        subject=subject,
        time=time or utcnow(),
        companyid=company_id,
        estateid=estate_id,
        data=payload.model_dump(mode="json"),
    )


def parse_payload(envelope: Envelope) -> BaseModel:
    """The typed payload of a known event; KeyError for a type nobody registered."""
    return REGISTRY[envelope.type].model.model_validate(envelope.data)


# --- intake ---------------------------------------------------------------------------


@event("intake.estate.registered")
class EstateRegistered(Payload):
    """An estate joined the installation."""

    estate_id: str
    name: str
    time_zone: str


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
    description: str
    channel: str
    promised_reply_at: datetime
    opened_at: datetime
    major: bool = False  # a major complaint (flagged, P1/P2, or a resident's third in 30 days)


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


@event("intake.ticket.updated")
class TicketUpdated(Payload):
    """A ticket changed status."""

    ticket_id: str
    number: str
    status: str
    previous_status: str


@event("intake.ticket.resolved")
class TicketResolved(TicketUpdated):
    """The work is done; the ticket waits for its follow-up."""


# --- dispatch -------------------------------------------------------------------------


@event("dispatch.workorder.created")
class WorkOrderCreated(Payload):
    """A work order was created for a ticket."""

    work_order_id: str
    number: str
    ticket_id: str | None = None
    department: str
    priority: str
    kind: str = "repair"
    offered_to: list[str] = []
    incident_id: str | None = None
    queue: str | None = None  # "supervisors" when nobody on duty or on call could take it


@event("dispatch.workorder.assigned")
class WorkOrderAssigned(Payload):
    """A work order was given to a staff member on duty."""

    work_order_id: str
    number: str
    ticket_id: str | None = None
    ticket_number: str | None = None
    assignee_id: str
    assignee_name: str
    department: str
    priority: str
    location: str | None = None
    description: str


class WorkOrderChanged(Payload):
    """A work order moved in its life cycle."""

    work_order_id: str
    number: str
    ticket_id: str | None = None
    status: str
    previous_status: str
    by: str
    reason: str | None = None
    assignee_id: str | None = None
    assignee_name: str | None = None


@event("dispatch.workorder.accepted")
class WorkOrderAccepted(WorkOrderChanged):
    """The assignee accepted the order (or won it in grab mode)."""


@event("dispatch.workorder.arrived")
class WorkOrderArrived(WorkOrderChanged):
    """The assignee is on site."""


@event("dispatch.workorder.on_hold")
class WorkOrderOnHold(WorkOrderChanged):
    """The order waits (parts, the resident…); its clock is paused."""


@event("dispatch.workorder.resumed")
class WorkOrderResumed(WorkOrderChanged):
    """The order is worked on again; its clock runs again."""


@event("dispatch.workorder.cancelled")
class WorkOrderCancelled(WorkOrderChanged):
    """The order was cancelled, with a reason."""


@event("dispatch.workorder.reassigned")
class WorkOrderReassigned(WorkOrderChanged):
    """The order moved to another person (转单)."""


@event("dispatch.workorder.declined")
class WorkOrderDeclined(WorkOrderChanged):
    """The assignee declined the order (退单); it is pending again."""


@event("dispatch.workorder.plan_recorded")
class ComplaintPlanRecorded(WorkOrderChanged):
    """A complaint's handling plan was recorded (the plan milestone of the complaint procedure)."""


class MaterialLine(BaseModel):
    item: str
    quantity: str
    unit_price: str
    amount: str


class ChargeLine(BaseModel):
    description: str
    amount: str


@event("dispatch.workorder.completed")
class WorkOrderCompleted(WorkOrderChanged):
    """The work is done; chargeable completions carry their charge lines for billing."""

    work_done: str
    materials: list[MaterialLine] = []
    labour_minutes: int
    photos: list[str] = []
    responsible_party: str
    chargeable: bool
    charge_lines: list[ChargeLine] = []
    unit_id: str | None = None


@event("dispatch.sla.warning")
class SlaWarning(Payload):
    """80% of a work order's time for a milestone has passed."""

    work_order_id: str
    number: str
    milestone: str
    due_at: datetime
    deadline: datetime
    fired_at: datetime
    late: bool
    assignee_id: str | None = None


@event("dispatch.sla.breached")
class SlaBreached(SlaWarning):
    """A work order's deadline for a milestone has passed."""


@event("dispatch.workorder.escalated")
class WorkOrderEscalated(Payload):
    """A step up the escalation ladder (逐级上报)."""

    work_order_id: str
    number: str
    level: int
    position: str
    recipient_id: str | None = None
    recipient_name: str | None = None
    reason: str
    priority: str
    description: str
    emergency_contacts: list[str] = []


# --- notification ---------------------------------------------------------------------


@event("notification.message.sent")
class MessageSent(Payload):
    """A message was handed to its channel's provider and accepted."""

    message_id: str
    recipient_id: str
    channel: str
    template: str
    source_event_id: str
