"""Integrators' AMQP subscriptions: what they ask for, and the queue and credentials they are given."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.notification.api.webhooks_schemas import EstateId, EventPattern
from shared.schemas import Strict


class AmqpSubscriptionCreate(Strict):
    event_types: list[EventPattern] = Field(min_length=1, max_length=50)
    estate_ids: list[EstateId] = Field(min_length=1, max_length=200)


class AmqpSubscriptionPublic(BaseModel):
    id: str
    event_types: list[str]
    estate_ids: list[str]
    owner_id: str
    queue: str = Field(description="the queue to consume; the events are CloudEvents JSON, in order per subject")
    username: str
    broker: str = Field(description="where to connect, e.g. amqp://broker.example:5672/")
    status: str
    created_at: datetime


class AmqpSubscriptionWithPassword(AmqpSubscriptionPublic):
    password: str = Field(description="the user's password: shown only once, when created")
