"""Schemas of the clerks' desk: daily close (日结), dunning (催缴) and the prepaid balance policy."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from services.billing.api.schemas import AMOUNT, PRICE, Strict


class BalancePolicy(Strict):
    low_balance: str = Field("20.00", pattern=PRICE, description="billing.balance.low when a balance falls below")


class DayCloseCreate(Strict):
    estate_id: str = Field(min_length=1, max_length=100)
    day: date
    counted_cash: str = Field(pattern=AMOUNT, description="the cash counted in the till")
    note: str | None = Field(None, max_length=200)


class DayClosePublic(BaseModel):
    id: str
    estate_id: str
    clerk_id: str
    day: date
    totals: dict[str, str] = Field(description="by payment method, less the day's reversals and deposit refunds")
    payments: int
    reversals: int
    refunds: int = 0
    expected_cash: str
    counted_cash: str
    over_short: str = Field(description="长短款: counted − expected (negative: short)")
    note: str | None = None
    closed_at: datetime


class DunningRunCreate(Strict):
    estate_id: str = Field(min_length=1, max_length=100)
    threshold: str | None = Field(None, pattern=PRICE, description="arrears from which a unit is chased (100.00)")
    min_interval_days: int | None = Field(None, ge=0, le=365, description="no second notice within (7 days)")


class DunningPolicy(Strict):
    threshold: str = Field("100.00", pattern=PRICE, description="arrears from which a unit is chased")
    min_interval_days: int = Field(7, ge=0, le=365, description="no second notice to a unit within this")
    day_of_month: int | None = Field(None, ge=1, le=31, description="a scheduled run on this day of each month")


class DunningRunPublic(BaseModel):
    id: str
    estate_id: str
    threshold: str
    min_interval_days: int
    day: date
    units_over_threshold: int
    notices: int
    skipped_recently_notified: int
    at: datetime
    scheduled: bool = False


class DunningLogCreate(Strict):
    kind: Literal["call", "visit", "letter", "notice"]
    outcome: Literal["promised", "disputed", "no_answer", "paid", "refused", "other"]
    promised_on: date | None = None
    note: str | None = Field(None, max_length=500)


class DunningLogEntry(BaseModel):
    id: str
    unit_id: str
    kind: str
    outcome: str
    on: date
    amount: str | None = None
    dunning_run_id: str | None = None
    by: str
    at: datetime
    promised_on: date | None = None
    note: str | None = None


class LateFeePolicy(Strict):
    enabled: bool = Field(False, description="违约金 charged at each monthly billing run; off until an estate turns it on")
    daily_rate: str = Field("0.0005", pattern=r"^0(\.\d{1,6})?$", description="a day's rate: 0.0005 is 0.05% a day")
    grace_days: int = Field(15, ge=0, le=365, description="days after the due date charged nothing")
    cap_ratio: str = Field("1", pattern=r"^\d{1,2}(\.\d{1,6})?$",
                           description="the most a line's late fees come to, as a share of its amount (1: the amount)")


class LateFeePolicyPublic(LateFeePolicy):
    estate_id: str
    version: int = Field(description="also the ETag: send it as If-Match to change only that version")
    updated_by: str | None = None
    updated_at: datetime | None = None
