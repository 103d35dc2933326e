"""Billing runs, the bill lines they issue and explain, waivers (减免) and deposit refunds (退押金)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from services.billing.api.money_schemas import AMOUNT, Strict

PERIOD = r"^\d{4}(-\d{2})?$"


class BillingRunCreate(Strict):
    estate_id: str = Field(min_length=1, max_length=100)
    period: str = Field(pattern=PERIOD, description="a month (2026-03) or a year (2026)")
    items: list[str] | None = Field(None, min_length=1, max_length=20, description="item codes; default all")


class BillingRunPublic(BaseModel):
    id: str
    estate_id: str
    period: str
    items: list[str]
    status: Literal["running", "completed"]
    total: int = Field(description="unit × item pairs the run covers")
    done: int
    created: int = Field(description="lines this run issued")
    existing: int = Field(description="lines that existed already (a rerun)")
    amount_created: str
    late_fees_created: int = Field(0, description="late-fee lines (违约金) this run charged on overdue lines")
    late_fee_amount: str = "0.00"
    created_at: datetime
    completed_at: datetime | None = None


class BillLinePublic(BaseModel):
    id: str
    estate_id: str
    unit_id: str
    item_code: str
    item_name_zh: str
    item_name_en: str
    period: str
    due_date: date
    amount: str
    paid: str
    waived: str = "0.00"
    outstanding: str
    refunded: str = Field("0.00", description="a deposit's refund (退押金), paid back out of what was paid")
    status: str
    billing_run_id: str | None = None
    issued_at: datetime


class Explanation(BaseModel):
    line_id: str
    amount: str
    recomputed: str
    matches: bool
    rule: dict[str, Any]
    zh: str
    en: str
    late_fee: dict[str, Any] | None = None


class WaiverCreate(Strict):
    amount: str | None = Field(None, pattern=AMOUNT, description="default: all that is outstanding")
    reason: str = Field(min_length=1, max_length=200)


class WaiverPublic(BaseModel):
    id: str
    line_id: str
    amount: str
    reason: str
    approved_by: str
    waived_at: datetime
    line: BillLinePublic


class DepositRefundCreate(Strict):
    amount: str | None = Field(None, pattern=AMOUNT, description="default: the settlement's refund, or all paid")
    reason: str = Field(min_length=1, max_length=200)
    method: Literal["cash", "wechat_pay", "alipay", "bank_transfer", "card"] = Field(
        "bank_transfer", description="how the money goes back to the resident")


class DepositRefundPublic(BaseModel):
    id: str
    line_id: str
    unit_id: str
    procedure_id: str | None = None
    amount: str
    method: str
    reason: str
    approved_by: str
    refunded_at: datetime
    business_day: date = Field(description="the approver's day it counts in (日结)")
    line: BillLinePublic
