"""An estate's late-fee policy (违约金)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from services.billing.api.money_schemas import Strict


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
