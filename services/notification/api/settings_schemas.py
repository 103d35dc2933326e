"""An estate's notification settings: rule overrides, templates and their previews, channel providers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.notification.api.channel_schemas import Channel, Language


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
