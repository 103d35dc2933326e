"""The people notification tells: their contacts, positions and preferences."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.notification.api.channel_schemas import Channel, Language

Clock = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, the estate's local time")


class QuietHours(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: str = Clock
    end: str = Clock


class Preferences(BaseModel):
    """What a person chooses in notification: their channels in order, contacts, quiet hours, announcements."""

    model_config = ConfigDict(extra="forbid")
    channels: list[Channel] | None = Field(default=None, max_length=5)
    language: Language | None = None
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    wechat_openid: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    phone: str | None = Field(default=None, max_length=20, pattern=r"^\+?\d{5,16}$")
    quiet_hours: QuietHours | None = None
    no_quiet_hours: bool = False
    opt_out_announcements: bool | None = None


class StaffContact(Preferences):
    """A staff member as notification knows them: their name, positions (who is told of incidents, reports)."""

    name: str | None = Field(default=None, max_length=100)
    positions: list[Literal["supervisor", "cs_manager", "estate_manager", "duty_leader"]] | None = None


class RecipientPublic(BaseModel):
    id: str
    estate_id: str
    kind: str
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    wechat_openid: str | None = None
    language: str = "zh"
    unit_ids: list[str] = []
    building_ids: list[str] = []
    positions: list[str] = []
    channels: list[str] = []
    quiet_hours: QuietHours | None = None
    opt_out_announcements: bool = False
    status: str = "active"
