"""Meter readings (抄表) and their import; the clerks' daily close (日结), served beside them."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from services.billing.api.money_schemas import AMOUNT, Strict


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


class ReadingsImported(BaseModel):
    recorded: int
    lines_billed: int


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
