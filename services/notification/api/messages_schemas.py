"""Messages as their recipients' supervisors see them, and as their recipient's inbox shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class Attempt(BaseModel):
    at: datetime
    status: str
    channel: str
    provider: str | None = None
    answer: dict[str, Any] = {}


class MessagePublic(BaseModel):
    id: str
    estate_id: str
    recipient_id: str
    recipient_kind: str
    channel: str
    channels: list[str] = []
    template: str
    language: str = "zh"
    subject: str | None = None
    body: str
    urgency: str = "normal"
    urgent: bool
    provider: str
    status: str
    due_at: datetime | None = None
    deferred: bool = False
    attempts: list[Attempt] = []
    announcement_id: str | None = None
    source_event_id: str
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None = None  # the vendor's receipt said so (SMS)
    read_at: datetime | None = None


class InboxItem(BaseModel):
    id: str
    estate_id: str
    template: str
    subject: str | None = None
    body: str
    urgency: str = "normal"
    status: str
    created_at: datetime
    read_at: datetime | None = None


class UnreadCount(BaseModel):
    unread: int
