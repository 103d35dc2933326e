"""The event archive: every event reporting consumed, as it came."""

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
