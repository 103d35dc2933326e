"""Announcements: what is sent to whom and when, and how far its fan-out has come."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class AnnouncementCreate(BaseModel):
    """A notice (停水、电梯检修、缴费通知) to every resident of the estate or of some buildings."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=60)
    text: str = Field(min_length=1, max_length=1000)
    audience: Literal["estate", "building"] = "estate"
    building_ids: list[str] = Field(default=[], max_length=200)
    # `announcement`: respects quiet hours and opt-outs; `safety`: everyone, at once.
    urgency: Literal["announcement", "safety"] = "announcement"
    scheduled_at: datetime | None = None


class AnnouncementCounts(BaseModel):
    recipients: int
    queued: int
    deferred: int
    sent: int
    failed: int
    delivered: int = 0  # of the sent, those the vendor reported delivered


class AnnouncementPublic(BaseModel):
    id: str
    estate_id: str
    title: str
    text: str
    audience: str
    building_ids: list[str]
    urgency: str
    scheduled_at: datetime
    status: str
    created_by: str
    created_at: datetime
    started_at: datetime | None = None
    fanned_out_at: datetime | None = None
    counts: AnnouncementCounts | None = None
