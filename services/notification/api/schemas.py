"""Notification's response models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class MessagePublic(BaseModel):
    id: str
    estate_id: str
    recipient_id: str
    recipient_kind: str
    channel: str
    template: str
    body: str
    urgent: bool
    provider: str
    status: str
    source_event_id: str
    created_at: datetime
    sent_at: datetime | None
