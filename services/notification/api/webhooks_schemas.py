"""Request and response models of integrators' webhooks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

from shared.schemas import ESTATE_ID_PATTERN, Strict

EventPattern = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[a-z0-9_*#.]+$",
                                    examples=["dispatch.workorder.*"])]
EstateId = Annotated[str, Field(pattern=ESTATE_ID_PATTERN)]
Url = Annotated[str, Field(min_length=8, max_length=2000, examples=["https://erp.example.com/hooks/estatedesk"])]


class WebhookCreate(Strict):
    url: Url
    event_types: list[EventPattern] = Field(min_length=1, max_length=50)
    estate_ids: list[EstateId] = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=500)


class WebhookChange(Strict):
    url: Url | None = None
    event_types: list[EventPattern] | None = Field(default=None, min_length=1, max_length=50)
    estate_ids: list[EstateId] | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=500)
    enabled: bool | None = None


class SecretRotation(Strict):
    overlap_hours: float = Field(default=24, ge=0, le=24 * 7,
                                 description="how long the previous secret still signs and verifies")


class Recovery(Strict):
    since: AwareDatetime = Field(description="every failed delivery created since then is sent again")


class WebhookPublic(BaseModel):
    id: str
    url: str
    description: str
    event_types: list[str]
    estate_ids: list[str]
    owner_id: str
    status: str
    disabled_reason: str | None
    failing_since: datetime | None
    secret_rotation_overlap_until: datetime | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(WebhookPublic):
    secret: str = Field(description="the signing secret (whsec_…): shown only when created or rotated")


class DeliveryPublic(BaseModel):
    id: str
    subscription_id: str
    estate_id: str
    event_id: str
    event_type: str
    subject: str | None
    event_time: datetime
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    reason: str | None
    created_at: datetime
    delivered_at: datetime | None


class AttemptPublic(BaseModel):
    id: str
    delivery_id: str
    event_id: str
    event_type: str
    subject: str | None
    attempt: int
    started_at: datetime
    finished_at: datetime
    duration_ms: float
    status_code: int | None
    outcome: str
    response_excerpt: str
    next_attempt_at: datetime | None


class Recovered(BaseModel):
    requeued: int
