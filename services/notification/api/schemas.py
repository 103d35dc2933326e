"""Notification's request and response models."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["sms", "wechat", "app_push", "email", "voice"]
Language = Literal["zh", "en"]
Clock = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, the estate's local time")


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


class RulePublic(BaseModel):
    id: str
    event_type: str
    audience: list[str]
    urgency: str
    channels: list[str] | None
    enabled: bool
    description: str
    overridden: bool


class RuleOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool | None = None
    urgency: Literal["safety", "urgent", "normal", "announcement"] | None = None
    audience: list[str] | None = Field(default=None, max_length=10)
    channels: list[Channel] | None = Field(default=None, max_length=5)


class VendorTemplate(BaseModel):
    """The vendor's pre-approved template (模板: SMS, WeChat, a voice call's text-to-speech) this text is sent
    as, and its parameters in order."""

    model_config = ConfigDict(extra="forbid")
    provider: Literal["aliyun", "tencent", "wechat", "wechat_subscribe", "aliyun_voice"]
    template_id: str = Field(min_length=1, max_length=64)
    params: list[str] = Field(default=[], max_length=10)  # our variables, in the vendor's order / names
    # A subscribe message's keys (thing1, time2…) and the variable each one shows; the page it opens.
    fields: dict[str, str] | None = Field(default=None, max_length=20)
    page: str | None = Field(default=None, max_length=200, pattern=r"^[A-Za-z0-9_/.\-]+(\?[!-~]*)?$")


class TemplateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=4000)
    subject: str | None = Field(default=None, max_length=200)
    vendor: VendorTemplate | None = None


class TemplatePublic(BaseModel):
    name: str
    channel: str
    language: str
    body: str
    subject: str | None = None
    vendor: VendorTemplate | None = None
    variables: list[str]
    overridden: bool


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=60)
    language: Language = "zh"
    body: str | None = Field(default=None, max_length=4000)
    subject: str | None = Field(default=None, max_length=200)
    estate_id: str | None = Field(default=None, max_length=64)
    channel: Channel | Literal["*"] = "*"


class PreviewPublic(BaseModel):
    name: str
    language: str
    subject: str | None
    body: str
    variables: dict[str, Any]


class ProviderSettings(BaseModel):
    """Which provider serves a channel of an estate, and its account (secrets are kept, never shown)."""

    model_config = ConfigDict(extra="forbid")
    provider: Literal["local", "smtp", "aliyun", "tencent", "wechat", "wechat_subscribe", "aliyun_voice", "jpush"]
    endpoint: str | None = Field(default=None, max_length=300, pattern=r"^https?://")
    host: str | None = Field(default=None, max_length=200)
    port: int | None = Field(default=None, ge=1, le=65535)
    sender: str | None = Field(default=None, max_length=254)
    access_key_id: str | None = Field(default=None, max_length=128)
    access_key_secret: str | None = Field(default=None, max_length=256)
    sign_name: str | None = Field(default=None, max_length=40)
    sdk_app_id: str | None = Field(default=None, max_length=40)
    region: str | None = Field(default=None, max_length=40)
    app_id: str | None = Field(default=None, max_length=64)
    app_secret: str | None = Field(default=None, max_length=256)
    rate_per_s: float | None = Field(default=None, gt=0, le=10000)
    # A voice call's number shown to the callee (the account's own; absent, the vendor's public pool) and
    # how many times the text is read.
    show_number: str | None = Field(default=None, max_length=20, pattern=r"^\+?\d{5,19}$")
    play_times: int | None = Field(default=None, ge=1, le=3)


class ProviderPublic(BaseModel):
    channel: str
    provider: str
    endpoint: str | None = None
    host: str | None = None
    port: int | None = None
    sender: str | None = None
    access_key_id: str | None = None
    sign_name: str | None = None
    sdk_app_id: str | None = None
    region: str | None = None
    app_id: str | None = None
    rate_per_s: float | None = None
    show_number: str | None = None
    play_times: int | None = None
    receipt_path: str | None = Field(default=None, description="where the vendor pushes its delivery receipts "
                                     "(a secret: give it to the vendor's console only)")


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
