"""The estates billing bills and their fee items: prices from a date, late-fee rules, discounts, seasons."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from services.billing.api.money_schemas import PRICE, Strict

RATE = r"^\d{1,2}(\.\d{1,6})?$"
CODE = r"^[a-z][a-z0-9_]{1,39}$"
UnitKind = Literal["residential", "commercial", "parking_space", "storage"]


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
