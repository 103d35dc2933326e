"""Reporting's response models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class DailyFiguresPublic(BaseModel):
    estate_id: str
    day: str
    tickets_opened: int = 0
    tickets_by_category: dict[str, int] = {}
    work_orders_created: int = 0
    contacts_logged: int = 0
    contacts_answered_within_15s: int = 0


class ArchivedEventPublic(BaseModel):
    id: str
    type: str
    estate_id: str
    subject: str | None
    time: datetime
    received_at: datetime
    data: dict
