"""The inputs of dispatch's work order commands (request bodies of its API), named by purpose."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from shared.schemas import Strict, estate_id_field

Department = Literal["customer_service", "engineering", "security", "cleaning", "greening"]


Priority = Literal["P1", "P2", "P3", "P4"]


Money = Field(pattern=r"^\d{1,9}(\.\d{1,2})?$", description='Yuan as a decimal string, e.g. "12.50"')


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


