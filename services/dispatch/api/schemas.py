"""Dispatch's request and response models, named by purpose."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.schemas import ESTATE_ID_PATTERN, LocalTime, Strict, estate_id_field

Department = Literal["customer_service", "engineering", "security", "cleaning", "greening"]
Position = Literal["staff", "supervisor", "cs_manager", "estate_manager", "duty_leader"]
PHONE_E164 = r"^\+[1-9][0-9]{6,14}$"
Priority = Literal["P1", "P2", "P3", "P4"]
Money = Field(pattern=r"^\d{1,9}(\.\d{1,2})?$", description='Yuan as a decimal string, e.g. "12.50"')



class StaffCreate(Strict):
    estate_id: str | None = Field(default=None, pattern=ESTATE_ID_PATTERN,
                                  description="The estate; omitted for a company position (duty_leader)")
    staff_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,40}$", description="Defaults to a new id")
    name: str = Field(min_length=1, max_length=60)
    department: Department
    position: Position = Field(default="staff", description=(
        "`staff` do the department's work and are assigned it; supervisors, managers and the duty "
        "leader are reached by the escalation ladder and are never auto-assigned (except a complaint's "
        "handling, which goes to the customer-service supervisor)"))
    phone: str | None = Field(default=None, pattern=PHONE_E164,
                              description="E.164; how a position's holder is reached off duty (节假日手机必须开机)")
    skills: list[str] = Field(default_factory=list, max_length=20)
    on_duty: bool = False
    on_call: bool = False


class DutyUpdate(Strict):
    on_duty: bool | None = None
    on_call: bool | None = None
    on_leave: bool | None = None


class StaffPublic(BaseModel):
    id: str
    estate_id: str | None = Field(description="None for a company position")
    name: str
    department: str
    position: str = "staff"
    phone: str | None = None
    skills: list[str]
    on_duty: bool
    on_call: bool = False
    on_leave: bool = False
    open_orders: int


class DepartmentUpdate(Strict):
    grab_mode: bool = False
    fallback_department: Department | None = Field(default=None, description=(
        "Who takes this department's orders while it has nobody (no staff, or all on leave); "
        "by default the service centre (customer_service)"))


class DepartmentPublic(BaseModel):
    estate_id: str
    department: str
    grab_mode: bool = False
    fallback_department: str | None = None


class WorkOrderCreate(Strict):
    estate_id: str = estate_id_field()
    kind: Literal["repair", "inspection", "paid_service", "help"]
    department: Department
    priority: Priority = "P3"
    location: str | None = Field(default=None, max_length=200)
    unit_id: str | None = Field(default=None, max_length=60)
    description: str = Field(min_length=1, max_length=2000)


class AssignRequest(Strict):
    assignee_id: str = Field(min_length=1, max_length=40)
    reason: str | None = Field(default=None, max_length=500)


class PlanRequest(Strict):
    plan: str = Field(min_length=1, max_length=2000, description="How the complaint will be handled")


class RoutingRuleIn(Strict):
    category: Literal["repair", "help", "complaint"]
    subcategory: str | None = Field(default=None, max_length=60)
    scope: Literal["in_unit", "public_area"] | None = None
    department: Department
    kind: Literal["repair", "help", "complaint_handling", "inspection"]
    skill: str | None = Field(default=None, max_length=40)


class RoutingRulesUpdate(Strict):
    rules: list[RoutingRuleIn] = Field(max_length=200)


class RoutingRulesPublic(RoutingRulesUpdate):
    model_config = ConfigDict(extra="ignore")

    estate_id: str


class ReasonRequest(Strict):
    reason: str = Field(min_length=1, max_length=500)


class MaterialUsed(Strict):
    item: str = Field(min_length=1, max_length=100)
    quantity: Decimal = Field(gt=0, max_digits=9, decimal_places=3)
    unit_price: str = Money


class ChargeRequest(Strict):
    description: str = Field(min_length=1, max_length=200)
    amount: str = Money


class CompletionRequest(Strict):
    work_done: str = Field(min_length=1, max_length=2000)
    materials: list[MaterialUsed] = Field(default_factory=list, max_length=50)
    labour_minutes: int = Field(ge=0, le=10_000)
    photos: list[str] = Field(default_factory=list, max_length=20)
    responsible_party: Literal["owner", "developer", "vendor", "property"]
    chargeable: bool = False
    charges: list[ChargeRequest] = Field(default_factory=list, max_length=50)


class EscalationStep(BaseModel):
    level: int
    position: str
    at: datetime
    recipient_id: str | None
    recipient_name: str | None = None
    reached_via: str | None = Field(default=None, description="on_duty, roster, on_call or phone")


class WorkOrderPublic(BaseModel):
    id: str
    estate_id: str
    number: str
    ticket_id: str | None
    ticket_number: str | None
    incident_id: str | None = None
    kind: str
    skill: str | None = None
    queue: str | None = None
    major: bool = False
    complaint_plan: dict | None = None
    department: str
    priority: str
    status: str
    assignee_id: str | None
    assignee_name: str | None
    offered_to: list[str] = []
    location: str | None
    description: str
    created_at: datetime
    deadlines: dict[str, datetime] = {}
    deadlines_approximate: bool = False
    clock: str = Field(default="full", description="The clock its deadlines count: full or business_hours")
    emergency: bool = Field(default=False, description="P1 or a safety subcategory of the estate")
    subcategory: str | None = None
    sla_state: str = "ok"
    routed_from: str | None = Field(default=None, description="The department it was routed to, which had nobody")
    fallback_reason: str | None = None
    escalations: list[EscalationStep] = []
    completion: dict | None = None
    version: int


class MilestoneLimits(Strict):
    accept: int = Field(gt=0, le=7 * 24 * 3600, description="seconds to accept")
    arrive: int = Field(gt=0, le=14 * 24 * 3600, description="seconds to arrive")
    complete: int = Field(gt=0, le=60 * 24 * 3600, description="seconds to complete")


class SlaPolicyUpdate(Strict):
    """An estate's clock: limits per priority, the delays between ladder steps, and whether the
    limits count the full clock or business hours (with the estate's own holidays and working
    days for what the national calendar does not know yet)."""

    priorities: dict[Priority, MilestoneLimits]
    ladder_delays_s: list[int] = Field(min_length=4, max_length=4)
    clock: Literal["full", "business_hours"] = "full"
    opens: LocalTime = time(8, 30)
    closes: LocalTime = time(17, 30)
    holidays: list[date] = Field(default_factory=list, max_length=400)
    working_days: list[date] = Field(default_factory=list, max_length=400)
    safety_subcategories: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(
        default_factory=list, max_length=100,
        description="Ticket subcategories this estate treats as safety (e.g. gas, elevator): like P1, on the full clock")


class SlaPolicyPublic(SlaPolicyUpdate):
    model_config = ConfigDict(extra="ignore")

    estate_id: str
    clocks: dict[Priority, Literal["full", "business_hours"]] = Field(description=(
        "The clock each priority's deadlines count. Emergencies — P1, and the safety subcategories — run "
        "on the full clock whatever `clock` says"))
