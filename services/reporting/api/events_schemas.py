"""The event archive: every event reporting consumed, as it came (a carrier such as `billing.bills.issued`
whole, its events in its data)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class ArchivedEventPublic(BaseModel):
    id: str
    type: str
    estate_id: str
    subject: str | None
    time: datetime
    received_at: datetime
    data: dict
