"""The CloudEvents 1.0 envelope (structured JSON mode) that every event travels in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from ulid import ULID

from shared import clock

TYPE_PREFIX = "estatedesk."


def new_id() -> str:
    """Unique, time-sortable identifiers (ULID) for events and documents."""
    return str(ULID.from_datetime(clock.now()))  # its time part is the platform's clock (day filters use it)


def utcnow() -> datetime:
    """Now, from the platform's one clock (`shared.clock`)."""
    return clock.now()


class Envelope(BaseModel):
    specversion: str = "1.0"
    id: str = Field(default_factory=new_id)
    source: str
    type: str
    subject: str | None = None
    time: datetime = Field(default_factory=utcnow)
    datacontenttype: str = "application/json"
    companyid: str
    estateid: str
    traceparent: str | None = None
    data: dict[str, Any]

    @property
    def routing_key(self) -> str:
        """`estatedesk.intake.ticket.opened.v1` travels under `intake.ticket.opened`."""
        return routing_key_of(self.type)


def routing_key_of(event_type: str) -> str:
    name = event_type.removeprefix(TYPE_PREFIX)
    return name.rsplit(".", 1)[0]
