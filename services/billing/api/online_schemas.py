"""Online payment: intents, and WeChat Pay's payment notification and the answer to it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.billing.api.money_schemas import AMOUNT, Strict


class WeChatNotification(BaseModel):
    """The envelope WeChat Pay sends; checked before the signature, so a stranger's fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")
    id: str
    create_time: str | None = None
    event_type: str
    resource_type: str | None = None
    summary: str | None = None
    resource: dict[str, Any]


class IntentCreate(Strict):
    unit_id: str = Field(min_length=1, max_length=100)
    amount: str = Field(pattern=AMOUNT)
    line_ids: list[str] | None = Field(None, min_length=1, max_length=200)


class IntentPublic(BaseModel):
    out_trade_no: str
    unit_id: str
    amount: str


class NotificationAnswer(BaseModel):
    code: str
    applied: bool
    payment_id: str | None = None
    receipt_number: str | None = None
    trade_state: str | None = None
