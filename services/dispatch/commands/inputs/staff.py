"""The inputs of dispatch's staff and estate-settings commands (request bodies of its API), named by purpose."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Literal

from pydantic import Field

from services.dispatch.commands.inputs.work_orders import (
    Department,
    Priority,
)
from shared.schemas import ESTATE_ID_PATTERN, LocalTime, Strict

Position = Literal["staff", "supervisor", "cs_manager", "estate_manager", "duty_leader"]


PHONE_E164 = r"^\+[1-9][0-9]{6,14}$"


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


class DepartmentUpdate(Strict):
    grab_mode: bool = False
    fallback_department: Department | None = Field(default=None, description=(
        "Who takes this department's orders while it has nobody (no staff, or all on leave); "
        "by default the service centre (customer_service)"))


class RoutingRuleIn(Strict):
    category: Literal["repair", "help", "complaint"]
    subcategory: str | None = Field(default=None, max_length=60)
    scope: Literal["in_unit", "public_area"] | None = None
    department: Department
    kind: Literal["repair", "help", "complaint_handling", "inspection"]
    skill: str | None = Field(default=None, max_length=40)


class RoutingRulesUpdate(Strict):
    rules: list[RoutingRuleIn] = Field(max_length=200)


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
