"""Events of notification."""

from __future__ import annotations

from shared.events.registry import Payload, event


@event("notification.message.sent")
class MessageSent(Payload):
    """A message was handed to its channel's provider and accepted."""

    message_id: str
    recipient_id: str
    channel: str
    template: str
    source_event_id: str
    provider: str = "local"
    attempts: int = 1
    announcement_id: str | None = None


@event("notification.message.failed")
class MessageFailed(Payload):
    """Every channel of a message failed, each after its retries; the last provider's answer is kept."""

    message_id: str
    recipient_id: str
    channels: list[str]
    template: str
    source_event_id: str
    attempts: int
    last_error: str
    announcement_id: str | None = None
