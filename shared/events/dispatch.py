"""Events of dispatch: work orders and their clock."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from shared.events.registry import Payload, event


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
    incident_id: str | None = None
    accept_by: datetime | None = None  # the deadline to accept it, for the assignee's message


class WorkOrderChanged(Payload):
    """A work order moved in its life cycle."""

    work_order_id: str
    number: str
    ticket_id: str | None = None
    incident_id: str | None = None  # the incident whose one order this is
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

    plan: str | None = None


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
    # How the position's holder was reached: roster / on_duty (the app), on_call, or phone (off duty).
    reached_via: str | None = None
    recipient_phone: str | None = None
    reason: str
    priority: str
    description: str
    emergency_contacts: list[str] = []


