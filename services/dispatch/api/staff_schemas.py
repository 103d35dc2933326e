"""Response models of staff and each estate's department, routing and clock settings, named by purpose."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.dispatch.commands.inputs.staff import RoutingRulesUpdate, SlaPolicyUpdate
from services.dispatch.commands.inputs.work_orders import Priority


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


class DepartmentPublic(BaseModel):
    estate_id: str
    department: str
    grab_mode: bool = False
    fallback_department: str | None = None


class RoutingRulesPublic(RoutingRulesUpdate):
    model_config = ConfigDict(extra="ignore")

    estate_id: str


class SlaPolicyPublic(SlaPolicyUpdate):
    model_config = ConfigDict(extra="ignore")

    estate_id: str
    clocks: dict[Priority, Literal["full", "business_hours"]] = Field(description=(
        "The clock each priority's deadlines count. Emergencies — P1, and the safety subcategories — run "
        "on the full clock whatever `clock` says"))
