"""Dunning (催缴): runs, policy and each unit's log; the prepaid balance policy, served beside them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from services.billing.api.money_schemas import PRICE, Strict


class BalancePolicy(Strict):
    low_balance: str = Field("20.00", pattern=PRICE, description="billing.balance.low when a balance falls below")


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
