"""Payments and their reversals (冲正), the units billed, unit accounts, reconciliation, arrears and the
collection rate (收缴率)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from services.billing.api.bills_schemas import BillLinePublic
from services.billing.api.money_schemas import AMOUNT, Strict


class PaymentCreate(Strict):
    unit_id: str = Field(min_length=1, max_length=100)
    amount: str = Field(pattern=AMOUNT, description="yuan, at most two decimals, more than zero")
    method: Literal["cash", "wechat_pay", "alipay", "bank_transfer", "card"]
    line_ids: list[str] | None = Field(None, min_length=1, max_length=200, description="pay these lines first")
    note: str | None = Field(None, max_length=200)
    top_up: bool = Field(False, description="all to a prepaid balance, no lines paid: by default the electricity "
                                            "balance of the unit's prepaid meter (预交电费)")
    balance_kind: Literal["general", "electricity"] | None = Field(
        None, description="the balance a top-up credits (default electricity; general for 预存); a payment that "
                          "is not a top-up leaves its remainder on the general balance and may name only that")


class ReversalCreate(Strict):
    reason: str = Field(min_length=1, max_length=200)


class ReversalPublic(BaseModel):
    reason: str
    by: str
    reversed_at: datetime


class PaymentPublic(BaseModel):
    id: str
    estate_id: str
    unit_id: str
    receipt_number: str
    amount: str
    method: str
    applied: str
    to_balance: str
    balance_kind: Literal["general", "electricity"] = Field("general", description="the balance `to_balance` went to")
    line_ids: list[str]
    received_at: datetime
    business_day: date | None = Field(None, description="the clerk's day it counts in (日结)")
    status: Literal["received", "reversed"]
    reversal: ReversalPublic | None = None


class BilledUnit(BaseModel):
    id: str
    estate_id: str
    building_id: str | None = None
    building_name: str | None = None
    number: str | None = None
    kind: str | None = None
    area_m2: str | None = None
    billing_starts_on: date | None = None
    first_move_in_on: date | None = None


class UnitAccount(BaseModel):
    unit_id: str
    estate_id: str
    building_name: str | None = None
    number: str | None = None
    kind: str | None = None
    area_m2: str | None = None
    billing_starts_on: date | None = None
    balance: str = Field(description="the general prepaid balance (预存) that bills draw on")
    balances: dict[Literal["general", "electricity"], str] = Field(
        description="every balance by kind: general (预存) and electricity (the prepaid meter's credit, 预交电费)")
    arrears: str
    open_lines: list[BillLinePublic]


class Reconciliation(BaseModel):
    units_checked: int
    balanced: bool
    discrepancies: list[dict[str, Any]]
    totals: dict[str, str]
    balances_by_kind: dict[str, dict[str, str]] = Field(
        description="per kind of balance (general, electricity): what lines used of it and what it holds")


class ArrearsFigures(BaseModel):
    total: str
    current: str
    older: str
    buckets: dict[str, str]


class ArrearsByBuilding(ArrearsFigures):
    building_id: str
    building_name: str | None = None


class ArrearsByItem(ArrearsFigures):
    item_code: str


class ArrearsReport(ArrearsFigures):
    estate_id: str
    as_of: date
    units_owing: int
    by_building: list[ArrearsByBuilding]
    by_item: list[ArrearsByItem]


class CollectionRateByItem(BaseModel):
    item_code: str
    billed: str
    collected: str
    rate_percent: str | None


class CollectionRate(BaseModel):
    estate_id: str
    period: str
    billed: str
    collected: str
    rate_percent: str | None
    by_item: list[CollectionRateByItem]
