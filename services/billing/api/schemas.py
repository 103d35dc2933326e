"""Billing's request and response models. Money is a decimal string with two places ("1234.50")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

AMOUNT = r"^-?\d{1,12}(\.\d{1,2})?$"
PRICE = r"^\d{1,9}(\.\d{1,2})?$"
RATE = r"^\d{1,2}(\.\d{1,6})?$"
CODE = r"^[a-z][a-z0-9_]{1,39}$"
PERIOD = r"^\d{4}(-\d{2})?$"
UnitKind = Literal["residential", "commercial", "parking_space", "storage"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BillingEstatePublic(BaseModel):
    estate_id: str
    name: str
    time_zone: str
    registered_at: datetime


class Tier(Strict):
    up_to: str | None = Field(None, pattern=PRICE)
    price: str = Field(pattern=PRICE)


class PriceCreate(Strict):
    price: str = Field(pattern=PRICE, description="yuan per m², per unit or per unit of consumption")
    valid_from: date
    tiers: list[Tier] | None = Field(None, max_length=10, description="metered items: tiered tariff")


class LateFeeRuleModel(Strict):
    """Kept for old clients: late fees follow the estate's policy (`/v1/estates/{id}/late-fee-policy`)."""

    enabled: bool = True
    daily_rate: str = Field("0.0005", pattern=RATE, description="a day's rate: 0.0005 is 0.05% a day")
    grace_days: int = Field(15, ge=0, le=365)
    cap_ratio: str = Field("1", pattern=RATE, description="the cap as a share of the principal")


class DiscountRule(Strict):
    kind: Literal["percentage", "vacant", "no_arrears", "prepay"] = Field(
        description="打折 for every unit, 空置房 for units nobody lives in, 无欠费打折 without older arrears, "
                    "缴N送M (prepay): a payment prepaying N months of a monthly item earns the M months after them free")
    percent: str | None = Field(None, pattern=r"^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$",
                                description="what is charged: 95 = 5% off (every kind but prepay)")
    older_than_days: int = Field(0, ge=0, le=3650, description="no_arrears: no unpaid line overdue longer than this")
    pay_months: int | None = Field(None, ge=1, le=36, description="prepay: N, the months paid in advance")
    free_months: int | None = Field(None, ge=1, le=12, description="prepay: M, the months after them that are free")


class Season(Strict):
    starts: str = Field(pattern=r"^\d{2}-\d{2}$", description="MM-DD, e.g. 11-15 (供暖季)")
    ends: str = Field(pattern=r"^\d{2}-\d{2}$", description="MM-DD; before `starts` in the calendar: the next year")


class FeeItemCreate(Strict):
    code: str = Field(pattern=CODE)
    name_zh: str = Field(min_length=1, max_length=40)
    name_en: str = Field(min_length=1, max_length=80)
    formula: Literal["area", "per_unit", "metered", "one_off"]
    cycle: Literal["monthly", "yearly", "one_off"]
    unit_kinds: list[UnitKind] = Field(min_length=1, max_length=4)
    due_day: int = Field(15, ge=1, le=31)
    season: Season | None = Field(None, description="a yearly item billed for a season: the days billed and prorated")
    late_fee: LateFeeRuleModel = LateFeeRuleModel()
    prices: list[PriceCreate] = Field([], max_length=50)
    discounts: list[DiscountRule] = Field([], max_length=5)


class FeeItemUpdate(Strict):
    name_zh: str | None = Field(None, min_length=1, max_length=40)
    name_en: str | None = Field(None, min_length=1, max_length=80)
    unit_kinds: list[UnitKind] | None = Field(None, min_length=1, max_length=4)
    due_day: int | None = Field(None, ge=1, le=31)
    season: Season | None = None
    late_fee: LateFeeRuleModel | None = None
    discounts: list[DiscountRule] | None = Field(None, max_length=5)


class PricePublic(BaseModel):
    price: str
    valid_from: date
    tiers: list[dict[str, Any]] | None = None


class FeeItemPublic(BaseModel):
    id: str
    estate_id: str
    code: str
    name_zh: str
    name_en: str
    formula: str
    cycle: str
    unit_kinds: list[str]
    due_day: int
    season: dict[str, str] | None = None
    late_fee: dict[str, Any]
    refundable: bool
    version: int
    prices: list[PricePublic]
    discounts: list[dict[str, Any]] = []


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


class MeterReadingCreate(Strict):
    unit_id: str = Field(min_length=1, max_length=100)
    meter: str = Field(min_length=1, max_length=40, description="the metered fee item: water, electricity")
    reading: str = Field(pattern=r"^\d{1,10}(\.\d{1,2})?$")
    read_on: date
    period: str | None = Field(None, pattern=r"^\d{4}-\d{2}$", description="the month measured (default: read_on's)")
    replacement: bool = Field(False, description="a new meter: counted from zero, may read lower")


class MeterReadingPublic(BaseModel):
    id: str
    estate_id: str
    unit_id: str
    meter: str
    period: str
    reading: str
    read_on: date
    replacement: bool
    line_id: str | None = Field(None, description="the bill line it made (none for a meter's first reading)")
















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
