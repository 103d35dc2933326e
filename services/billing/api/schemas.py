"""Billing's response models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class BillingEstatePublic(BaseModel):
    estate_id: str
    name: str
    time_zone: str
    registered_at: datetime
